import Foundation
import NIOHTTP1
import NSCore
import NSNodeClient

/// How nodes call their peers: ``NodeClient`` as `nsd/`, to a ``PeerAddress``.
extension NodeClient {
    /// On ``NodeClient/standard``, which retries a refused connection until the call's
    /// deadline: the gateway's and the operator API's ledger lookups, where a peer restarting
    /// for a moment should not fail a user's request.
    public static let node = NodeClient(caller: .node)

    /// On ``NodeClient/failFast``: health probes, vp-node's calls to ns-node, admin-node.
    public static let nodeFailingFast = NodeClient(caller: .node, http: NodeClient.failFast)

    /// `method path` on the peer at `address`, named `node` in messages; waits for an in-process
    /// peer to bind. A wait cancelled before the peer binds fails like a call that got no answer.
    /// `maxBodyBytes`: the largest answer accepted (``NodeRequest/maxBodyBytes`` by default).
    /// When `address` lists several peers the call fails over across them
    /// (``NodeClient/send(across:idempotent:_:)``); `idempotent` says whether a repeat does no
    /// harm, by default for a GET only.
    func send(_ method: HTTPMethod = .GET, to address: PeerAddress, node: String, path: String, timeout: Duration, requestID: String,
              bearer: String? = nil, jsonBody: [UInt8]? = nil, maxBodyBytes: Int? = nil,
              idempotent: Bool? = nil) async throws(NodeCallError) -> NodeReply {
        let targets: NodeTargets
        do {
            targets = try await address.targets()
        } catch {
            throw NodeCallError(NodeCall(node: node, method: method.rawValue, path: path), classifying: error)
        }
        return try await send(across: targets, idempotent: idempotent ?? (method == .GET)) { base in
            var request = NodeRequest(method, node: node, base: base, path: path, timeout: timeout, requestID: requestID,
                                      bearer: bearer, jsonBody: jsonBody)
            if let maxBodyBytes { request.maxBodyBytes = maxBodyBytes }
            return request
        }
    }
}
