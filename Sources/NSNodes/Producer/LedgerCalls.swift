import Foundation
import NIOHTTP1
import NSCore
import NSNodeClient

/// vp-node's calls to ns-node: the mempool, the tip and log frontier a block is built on, and
/// block submission, over HTTP with the internal token (also within one process, so the split
/// and embedded deployments run the same code). Failures are ``NodeCallError``s.
struct LedgerCalls: Sendable {
    let address: PeerAddress
    let token: Secret
    let timeout: Duration
    var client = NodeClient.nodeFailingFast

    /// Up to `limit` pending transactions, oldest first.
    func mempool(limit: Int) async throws(NodeCallError) -> [LedgerTransaction] {
        let reply = try await send(.GET, "/v1/mempool?limit=\(limit)").accept()
        do {
            return try MempoolPage.transactions(from: reply.body)
        } catch let error as TransactionError {
            throw NodeCallError(call: reply.call, failure: .unreadable("an invalid transaction in its mempool: \(error)"))
        } catch {
            throw NodeCallError(call: reply.call, failure: .unreadable("invalid JSON"))
        }
    }

    /// The tip's header and the log tree's frontier, which the next block extends.
    func tip() async throws -> (header: BlockHeader, frontier: CompactRange) {
        async let latestReply = send(.GET, "/v1/blocks/latest")
        async let frontierReply = send(.GET, "/v1/log/frontier")
        let latest = try await latestReply
        let header: BlockHeader
        do {
            header = try BlockHeader(json: try latest.json()["header"] ?? .null)
        } catch let error as TransactionError {
            throw NodeCallError(call: latest.call, failure: .unreadable("an unreadable tip header: \(error)"))
        }
        let frontierAnswer = try await frontierReply
        let frontier = try frontierAnswer.json()
        let nodes = (frontier["nodes"]?.arrayValue ?? []).compactMap { node -> CompactRange.Node? in
            guard let level = node["level"]?.intValue, let index = node["index"]?.intValue,
                  let hash = node["hash"]?.stringValue.flatMap(MerkleHash.init(hex:)) else { return nil }
            return CompactRange.Node(level: Int(level), index: UInt64(index), hash: hash)
        }
        guard let size = frontier["size"]?.intValue, let range = CompactRange(size: UInt64(size), nodes: nodes) else {
            throw NodeCallError(call: frontierAnswer.call, failure: .unreadable("an unreadable log frontier"))
        }
        return (header, range)
    }

    /// Posts a block; any status (201 appended, 409 lost a race, 4xx refused) is the caller's to
    /// judge. Repeated on another ns-node when one does not answer: a block already appended
    /// there is a 409.
    func produce(header: BlockHeader, txs: [LedgerTransaction]) async throws(NodeCallError) -> NodeReply {
        let body = CanonicalJSON.object(ofEncoded: ["header": CanonicalJSON.encode(header.json), "txs": CanonicalJSON.array(ofEncoded: txs.map(\.canonical))])
        return try await send(.POST, "/blocks/produce", body: body, idempotent: true)
    }

    /// Posts transactions to the mempool; any status is the caller's to judge. `onePerJob` asks
    /// ns-node to keep one transaction per job id (`?dedupe=job`): a transaction for a job it
    /// already records is answered with that one (``TransactionSender``). Repeated on another
    /// ns-node when one does not answer: a transaction already held is not held twice.
    func submit(_ txs: [LedgerTransaction], onePerJob: Bool = false) async throws(NodeCallError) -> NodeReply {
        try await send(.POST, onePerJob ? "/tx?dedupe=job" : "/tx", body: CanonicalJSON.array(ofEncoded: txs.map(\.canonical)), idempotent: true)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, idempotent: Bool = false) async throws(NodeCallError) -> NodeReply {
        // A mempool page of up to `limit` transactions can run to tens of MiB.
        try await client.send(method, to: address, node: "ns-node", path: path, timeout: timeout, requestID: RequestID.generate(),
                              bearer: token.reveal(), jsonBody: body, maxBodyBytes: 64 * 1024 * 1024, idempotent: idempotent || method == .GET)
    }
}
