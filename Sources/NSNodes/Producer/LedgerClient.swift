import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// vp-node's calls to ns-node: the mempool, the tip and log frontier a block is built on, and
/// block submission, over HTTP with the internal token (also within one process, so the split
/// and embedded deployments run the same code).
struct LedgerClient: Sendable {
    let address: PeerAddress
    let token: Secret
    let timeout: Duration
    let client: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Up to `limit` pending transactions, oldest first.
    func mempool(limit: Int) async throws -> [LedgerTransaction] {
        let path = "/v1/mempool?limit=\(limit)"
        let (status, body) = try await exchange("GET", path, body: nil)
        guard status == 200 else { throw Failure(description: "ns-node answered HTTP \(status) to GET \(path)") }
        do {
            return try MempoolPage.transactions(from: body)
        } catch let error as TransactionError {
            throw Failure(description: "ns-node's mempool holds an invalid transaction: \(error)")
        } catch {
            throw Failure(description: "ns-node answered GET \(path) with invalid JSON")
        }
    }

    /// The tip's header and the log tree's frontier, which the next block extends.
    func tip() async throws -> (header: BlockHeader, frontier: CompactRange) {
        async let latest = json("GET", "/v1/blocks/latest")
        async let frontierJSON = json("GET", "/v1/log/frontier")
        let header: BlockHeader
        do {
            header = try BlockHeader(json: try await latest["header"] ?? .null)
        } catch let error as TransactionError {
            throw Failure(description: "ns-node's tip header is unreadable: \(error)")
        }
        let frontier = try await frontierJSON
        let nodes = (frontier["nodes"]?.arrayValue ?? []).compactMap { node -> CompactRange.Node? in
            guard let level = node["level"]?.intValue, let index = node["index"]?.intValue,
                  let hash = node["hash"]?.stringValue.flatMap(MerkleHash.init(hex:)) else { return nil }
            return CompactRange.Node(level: Int(level), index: UInt64(index), hash: hash)
        }
        guard let size = frontier["size"]?.intValue, let range = CompactRange(size: UInt64(size), nodes: nodes) else {
            throw Failure(description: "ns-node's log frontier is unreadable")
        }
        return (header, range)
    }

    /// Posts a block; the status code (201 appended, 409 lost a race, 4xx refused) and the body.
    func produce(header: BlockHeader, txs: [LedgerTransaction]) async throws -> (status: Int, body: String) {
        let body = CanonicalJSON.object(ofEncoded: ["header": CanonicalJSON.encode(header.json), "txs": CanonicalJSON.array(ofEncoded: txs.map(\.canonical))])
        return try await send("POST", "/blocks/produce", body: body)
    }

    /// Posts transactions to the mempool; the status code and the body. `onePerJob` asks ns-node
    /// to keep one transaction per job id (`?dedupe=job`): a transaction for a job it already
    /// records is answered with that one (``TransactionSender``).
    func submit(_ txs: [LedgerTransaction], onePerJob: Bool = false) async throws -> (status: Int, body: String) {
        try await send("POST", onePerJob ? "/tx?dedupe=job" : "/tx", body: CanonicalJSON.array(ofEncoded: txs.map(\.canonical)))
    }

    private func json(_ method: String, _ path: String) async throws -> JSONValue {
        let (status, body) = try await exchange(method, path, body: nil)
        guard status == 200 else { throw Failure(description: "ns-node answered HTTP \(status) to \(method) \(path)") }
        do {
            return try CanonicalJSON.decode(body)
        } catch {
            throw Failure(description: "ns-node answered \(method) \(path) with invalid JSON")
        }
    }

    private func send(_ method: String, _ path: String, body: [UInt8]?) async throws -> (Int, String) {
        let (status, bytes) = try await exchange(method, path, body: body)
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    private func exchange(_ method: String, _ path: String, body: [UInt8]?) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: (try await address.url()).absoluteString.trimmingSuffix("/") + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token.reveal())")
        request.headers.add(name: RequestID.headerName, value: RequestID.generate())
        request.headers.add(name: "User-Agent", value: NodeHTTPClient.userAgent)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return (Int(response.status.code), Array(collected.readableBytesView))
        } catch {
            throw Failure(description: "ns-node did not answer \(method) \(path) (\(NetworkFailure.describe(error)))")
        }
    }
}
