import Foundation
import NIOHTTP1
import NSCore
import NSNodeClient

/// admin-node's calls to the other nodes: their `/health`, ns-node's read API and validator
/// changes (internal token), and vp-node's operator API with a short-lived token minted for the
/// signed-in user, so vp-node's own log and RBAC see who acted.
struct AdminPeers: Sendable {
    let gateway: PeerAddress
    let nsNode: PeerAddress
    let vpNode: PeerAddress
    let internalToken: Secret
    let adminSecret: Secret
    var client = NodeClient.nodeFailingFast
    var timeout: Duration = .seconds(5)

    enum Target: String, Sendable, CaseIterable {
        case gateway = "gateway-node", nsNode = "ns-node", vpNode = "vp-node"
    }

    func address(_ target: Target) -> PeerAddress {
        switch target {
        case .gateway: gateway
        case .nsNode: nsNode
        case .vpNode: vpNode
        }
    }

    /// The largest answer the dashboard reads (a page of blocks, a dead-letter list).
    static let maxAnswerBytes = 16 * 1024 * 1024

    /// One call; a node that does not answer throws ``AdminError/upstream(_:)`` naming it.
    func call(_ target: Target, _ method: String, _ path: String, body: JSONValue? = nil, bearer: String? = nil,
              requestID: String) async throws(AdminError) -> NodeReply {
        do {
            return try await client.send(HTTPMethod(rawValue: method), to: address(target), node: target.rawValue, path: path, timeout: timeout,
                                         requestID: requestID, bearer: bearer, jsonBody: body.map { CanonicalJSON.encode($0) },
                                         maxBodyBytes: Self.maxAnswerBytes)
        } catch {
            throw .upstream(error.description)
        }
    }

    /// A JSON answer with status 2xx. A 404 or 409 is passed on as such (no such job; a job in a
    /// state that does not allow the action); anything else is an upstream error quoting the
    /// node's problem detail.
    func json(_ target: Target, _ path: String, method: String = "GET", body: JSONValue? = nil, bearer: String? = nil,
              requestID: String) async throws -> JSONValue {
        let reply = try await call(target, method, path, body: body, bearer: bearer, requestID: requestID)
        do {
            return try reply.json(accepting: Set(200..<300))
        } catch {
            switch error.failure {
            case .problem(let problem) where problem.status == 404: throw AdminError.notFound(problem.detail ?? "\(path) not found")
            case .problem(let problem) where problem.status == 409: throw AdminError.conflict(error.description)
            default: throw AdminError.upstream(error.description)
            }
        }
    }

    /// vp-node's operator API as `actor` (a five-minute token with the actor's role).
    func queue(_ path: String, method: String = "GET", body: JSONValue? = nil, actor: AdminAccess.Actor, requestID: String) async throws -> JSONValue {
        let token: String
        do {
            token = try await TokenMinter.mint(secret: adminSecret, subject: actor.subject, role: actor.role.rawValue, lifetime: .seconds(300))
        } catch {
            throw AdminError.upstream("cannot mint an operator token: \(error)")
        }
        return try await json(.vpNode, path, method: method, body: body, bearer: token, requestID: requestID)
    }

    /// ns-node's internal API (validator changes).
    func ledger(_ method: String, _ path: String, body: JSONValue?, requestID: String) async throws -> JSONValue {
        try await json(.nsNode, path, method: method, body: body, bearer: internalToken.reveal(), requestID: requestID)
    }
}
