import Foundation
import NSCore
import NSNodeClient
import NSQueue

/// Asks ns-node for the transaction recording a job (`GET /v1/jobs/{id}/tx`): how the gateway
/// and vp-node still answer for a finished job once the queue has deleted its record
/// (`JOB_RETENTION_MS`). The ledger is then the only record left, so an ns-node that cannot
/// answer is a 503, never a 404: nobody can tell whether the job existed.
struct JobLedgerLookup: Sendable {
    let nsNode: PeerAddress
    let client: NodeClient
    let timeout: Duration

    /// A job's transaction as ns-node reports it.
    struct Record: Sendable, Equatable {
        let txHash: String
        /// The JWT `sub` the transaction records: the job's owner.
        let submitter: String
        /// Where it sits once committed; `nil` while it waits in the mempool.
        let blockHeight: Int64?
        let leafIndex: Int64?
        /// What the transaction records of the artifact (its SHA-256) and its metadata, to tell a
        /// replayed Idempotency-Key whether it names the same submission.
        var artifactSHA256: String? = nil
        var metadata: JSONValue? = nil

        /// The `ledger` object of a job's status (``JobLedgerLookup/ledgerJSON(blockHeight:leafIndex:proofUrl:)``).
        func ledgerJSON(proofUrl: String?) -> JSONValue {
            JobLedgerLookup.ledgerJSON(blockHeight: blockHeight, leafIndex: leafIndex, proofUrl: proofUrl)
        }
    }

    /// The transaction recording `jobID`; `nil` when ns-node has none, or when `jobID` cannot be
    /// a queue job's id at all (nothing is asked then: the ledger's other writers, such as
    /// admin-node's audit anchors, are no one's job). Throws
    /// ``NodeError/dependencyUnavailable(dependency:retryAfterSeconds:)`` when ns-node does not
    /// answer, or answers anything but 200 or 404, or an unreadable 200.
    func record(jobID: String, requestID: String) async throws(NodeError) -> Record? {
        guard jobID.hasPrefix(JobID.prefix), LedgerTransaction.isValidJobID(jobID) else { return nil }
        let reply: NodeReply
        do {
            reply = try await client.send(to: nsNode, node: "ns-node", path: "/v1/jobs/\(jobID)/tx", timeout: timeout, requestID: requestID)
        } catch {
            throw Self.unavailable
        }
        switch reply.status {
        case 200: break
        case 404: return nil
        default: throw Self.unavailable
        }
        let json: JSONValue
        do {
            json = try CanonicalJSON.decode(reply.body)
        } catch {
            throw Self.unavailable
        }
        guard let txHash = json["txHash"]?.stringValue, let submitter = json["tx"]?["submitter"]?.stringValue else { throw Self.unavailable }
        var record: Record
        if json["pending"] == .bool(true) {
            record = Record(txHash: txHash, submitter: submitter, blockHeight: nil, leafIndex: nil)
        } else {
            guard let height = json["blockHeight"]?.intValue, let leaf = json["leafIndex"]?.intValue else { throw Self.unavailable }
            record = Record(txHash: txHash, submitter: submitter, blockHeight: height, leafIndex: leaf)
        }
        record.artifactSHA256 = json["tx"]?["artifact"]?["sha256"]?.stringValue
        record.metadata = json["tx"]?["metadata"]
        return record
    }

    static let unavailable = NodeError.dependencyUnavailable(dependency: "ns-node", retryAfterSeconds: 5)

    /// The `ledger` object every job status shows: `committed` with `blockHeight`, `leafIndex` and
    /// (at the gateway) `proofUrl`, or `pending` while the transaction waits in the mempool. One
    /// builder, so a job reads the same whether the queue or only the ledger still holds it.
    static func ledgerJSON(blockHeight: Int64?, leafIndex: Int64?, proofUrl: String?) -> JSONValue {
        guard let blockHeight else { return ["status": "pending", "detail": "the transaction waits in the mempool for the next block"] }
        var fields: [String: JSONValue] = ["status": "committed", "blockHeight": .int(blockHeight), "leafIndex": leafIndex.map(JSONValue.int) ?? .null]
        if let proofUrl { fields["proofUrl"] = .string(proofUrl) }
        return .object(fields)
    }
}
