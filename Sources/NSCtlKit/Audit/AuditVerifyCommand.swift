import ArgumentParser
import Foundation
import NSCore

extension NSCtl.Audit {
    /// `nsctl audit verify`: the hash chain, then the newest head anchored in the ledger.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check the audit trail's hash chain and that it still holds the head anchored in the ledger.",
            discussion: """
                The chain shows an entry changed, removed or reordered; the head admin-node anchors in the \
                ledger (within AUDIT_ANCHOR_INTERVAL_MS of a new entry) shows entries cut from the end, or \
                all of them. Asks ns-node (--ns-url / NS_NODE_URL) for the newest anchor. Exit 0 with the \
                number of entries checked, or 1 naming the first broken entry or the missing range.
                """)

        @OptionGroup var source: AuditSource

        @OptionGroup var node: NodeOptions

        @Flag(help: "Check the hash chain only, without asking ns-node for the anchored head: entries cut from the end then go unnoticed.")
        var noLedger = false

        func run() async throws {
            try await reportingFailures {
                let entries = try await source.entries(envFile: node.connection.envFile)
                if let broken = AuditChain.firstBreak(in: entries) {
                    throw failure("audit chain broken at \(broken)")
                }
                let head = entries.last?.hash ?? AuditChain.genesisHash
                let trailEnd = entries.last?.sequence ?? 0
                var anchored: AuditAnchor.Anchored?
                if !noLedger {
                    var client = try node.nsNode()
                    client.addressHint = "--ns-url / NS_NODE_URL, or pass --no-ledger to check the chain alone"
                    anchored = try await AuditAnchorLookup(client: client).newest()
                    if let anchored {
                        // The chain verified, so entry n is entries[n - 1].
                        let hashThere = anchored.sequence <= trailEnd ? entries[Int(anchored.sequence - 1)].hash : nil
                        if let finding = AuditAnchorCheck.finding(anchored: anchored, trailEnd: trailEnd, hashAtAnchored: hashThere) {
                            throw failure("audit trail cut: \(finding); restore admin-node-data from a backup that holds entry \(anchored.sequence)")
                        }
                    }
                }
                if node.json {
                    var fields: [String: JSONValue] = ["ok": true, "entries": .int(Int64(entries.count)), "head": .string(head), "ledgerChecked": .bool(!noLedger)]
                    if let anchored {
                        fields["anchored"] = ["seq": .int(anchored.sequence), "hash": .string(anchored.hash), "time": .string(LogTimestamp.format(unixMs: anchored.time)),
                                              "txHash": .string(anchored.txHash), "blockHeight": anchored.blockHeight.map(JSONValue.int) ?? .null]
                    }
                    print(String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self))
                } else {
                    print("audit chain verified: \(entries.count) entries, head \(head); " + ledgerLine(anchored, trailEnd: trailEnd))
                }
            }
        }

        private func ledgerLine(_ anchored: AuditAnchor.Anchored?, trailEnd: Int64) -> String {
            if noLedger { return "not checked against the ledger's anchored head (--no-ledger): entries cut from the end would go unnoticed" }
            guard let anchored else { return "the ledger holds no anchored head yet" }
            let waiting = trailEnd > anchored.sequence ? " (entries \(anchored.sequence + 1)-\(trailEnd) not anchored yet)" : ""
            return "it holds the ledger's newest anchored head, \(anchored.summary)\(waiting)"
        }

        /// `message` as the command's failure, printed as JSON too with `--json`.
        private func failure(_ message: String) -> CommandFailure {
            if node.json { print(String(decoding: CanonicalJSON.encode(["ok": false, "detail": .string(message)]), as: UTF8.self)) }
            return CommandFailure(message)
        }
    }
}

/// Finds the newest audit head admin-node anchored in the ledger (``AuditAnchor``), through
/// ns-node's lookup by job id (`GET /v1/jobs/{jobId}/tx?prefer=pending`): one request, however
/// long the ledger, and it sees an anchor still waiting in the mempool.
struct AuditAnchorLookup {
    let client: NodeEndpoint

    static let path = "/v1/jobs/\(AuditAnchor.jobID)/tx?prefer=pending"

    /// The newest anchored head, or `nil` when the ledger holds none.
    func newest() async throws -> AuditAnchor.Anchored? {
        let reply = try await client.get(Self.path)
        switch reply.status {
        case 200:
            break
        // ns-node's 404 names the job id it has no transaction for; any other 404 means the
        // address is not an ns-node (a gateway, say), which must not read as "nothing anchored".
        case 404 where reply.problem.summary.contains(AuditAnchor.jobID):
            return nil
        default:
            throw CommandFailure("\(client.name) at \(client.address) cannot look up the audit anchor (\(reply.problem.summary)); "
                                 + "check --ns-url / NS_NODE_URL")
        }
        let answer: JSONValue
        do {
            answer = try CanonicalJSON.decode(reply.body)
        } catch {
            throw CommandFailure("ns-node answered GET \(Self.path) with invalid JSON (\(error.description))")
        }
        guard let anchored = AuditAnchor.anchored(inLookup: answer) else {
            let txHash = answer["txHash"]?.stringValue ?? "?"
            throw CommandFailure("the ledger's newest transaction for job \(AuditAnchor.jobID) (\(txHash)) is not an audit anchor, and it hides "
                                 + "the anchors before it; someone holding INTERNAL_TOKEN wrote it: inspect it with GET /v1/tx/\(txHash)")
        }
        return anchored
    }
}
