import Foundation
import Hummingbird
import NSCore
import NSLedger

/// The public proof and lookup routes of ns-node: transactions (by hash and by job id), artifacts,
/// proofs, checkpoints.
struct LedgerReadRoutes: Sendable {
    let reader: any LedgerReader
    let checkpoint: ServedCheckpoint

    func add(to router: Router<NodeRequestContext>) {
        router.get("/v1/tx/{txHash}") { _, context in
            let hash = try Self.hash(context.parameters.get("txHash"), name: "txHash")
            guard let tx = try await reader.transaction(hash: hash) else { throw NodeError.notFound(detail: "no committed transaction \(hash.hex)") }
            return JSONBody.response(LedgerRoutes.json(tx))
        }
        router.get("/v1/artifacts/{sha256}") { _, context in
            let digest = try Self.hash(context.parameters.get("sha256"), name: "sha256")
            let txs = try await reader.transactions(artifactSHA256: digest.hex)
            guard !txs.isEmpty else { throw NodeError.notFound(detail: "no committed transaction anchors artifact \(digest.hex)") }
            return JSONBody.response(["artifactSha256": .string(digest.hex), "txs": .array(txs.map {
                ["txHash": .string($0.hash.hex), "leafIndex": .int(Int64($0.leafIndex)), "blockHeight": .int(Int64($0.blockHeight))]
            })])
        }
        router.get("/v1/jobs/{jobId}/tx") { request, context in
            try await job(context.parameters.get("jobId"), preferPending: try Self.prefersPending(request))
        }
        router.get("/v1/proof/inclusion") { request, _ in try await inclusion(request) }
        router.get("/v1/proof/consistency") { request, _ in
            let query = request.uri.queryParameters
            let from = try LedgerRoutes.number(query.get("from"), name: "from")
            let to = try LedgerRoutes.number(query.get("to"), name: "to")
            let (proof, fromRoot, toRoot) = try await reader.consistencyProof(from: from, to: to)
            return JSONBody.response(["from": .int(Int64(from)), "to": .int(Int64(to)), "fromRoot": .string(fromRoot.hex),
                                      "toRoot": .string(toRoot.hex), "proof": .array(proof.map { .string($0.hex) })])
        }
        router.get("/v1/checkpoint") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: try await checkpoint.note())))
        }
    }

    /// The transaction recording a job, which outlives the job's queue record: as
    /// `GET /v1/tx/{txHash}` answers once it is committed; `{"txHash", "pending": true, "tx"}`
    /// while it waits in the mempool. `preferPending` answers the newest one, pending or not
    /// (``LedgerReader/newestTransaction(jobID:)``).
    private func job(_ id: String?, preferPending: Bool) async throws -> Response {
        guard let id, LedgerTransaction.isValidJobID(id) else {
            throw NodeError.badRequest(detail: "jobId must be 1 to 128 URL-safe characters (A-Z a-z 0-9 _ -)")
        }
        switch try await preferPending ? reader.newestTransaction(jobID: id) : reader.transaction(jobID: id) {
        case .committed(let tx):
            return JSONBody.response(LedgerRoutes.json(tx))
        case .pending(let hash, let canonical):
            // Stored transactions are canonical bytes already: spliced, not decoded and encoded again.
            return JSONBody.response(encoded: CanonicalJSON.object(ofEncoded: [
                "txHash": CanonicalJSON.encode(.string(hash.hex)), "pending": CanonicalJSON.encode(.bool(true)), "tx": canonical,
            ]))
        case nil:
            throw NodeError.notFound(detail: "no transaction records job \(id)")
        }
    }

    /// `?prefer=pending`, or nothing; anything else is a 400.
    static func prefersPending(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("prefer") {
        case nil: return false
        case "pending": return true
        default: throw NodeError.badRequest(detail: "prefer must be pending (answer the newest transaction, even one still in the mempool) or absent")
        }
    }

    /// `leaf` is a leaf index or a transaction hash; `size` defaults to the current log size.
    private func inclusion(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let leafText = query.get("leaf") else { throw NodeError.badRequest(detail: "leaf is required: a leaf index or a tx hash") }
        let index: UInt64
        if leafText.utf8.count == 64 {
            let hash = try Self.hash(leafText, name: "leaf")
            guard let tx = try await reader.transaction(hash: hash) else { throw NodeError.notFound(detail: "no committed transaction \(hash.hex)") }
            index = tx.leafIndex
        } else {
            index = try LedgerRoutes.number(leafText, name: "leaf")
        }
        let size = if let given = query.get("size") { try LedgerRoutes.number(given, name: "size") } else { try await reader.logSize() }
        let (proof, root) = try await reader.inclusionProof(leaf: index, size: size)
        return JSONBody.response(["leafIndex": .int(Int64(index)), "treeSize": .int(Int64(size)), "rootHash": .string(root.hex),
                                  "proof": .array(proof.map { .string($0.hex) })])
    }

    static func hash(_ text: String?, name: String) throws -> MerkleHash {
        guard let text, Hex.isLowercase(text, byteCount: 32), let hash = MerkleHash(hex: text) else {
            throw NodeError.badRequest(detail: "\(name) must be 64 lowercase hex digits")
        }
        return hash
    }
}
