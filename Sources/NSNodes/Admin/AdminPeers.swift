import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// admin-node's calls to the other nodes: their `/health`, ns-node's read API and validator
/// changes (internal token), and vp-node's operator API with a short-lived token minted for the
/// signed-in user, so vp-node's own log and RBAC see who acted.
struct AdminPeers: Sendable {
    let gateway: PeerAddress
    let nsNode: PeerAddress
    let vpNode: PeerAddress
    let internalToken: Secret
    let adminSecret: Secret
    let client: HTTPClient
    var timeout: Duration = .seconds(5)

    struct Reply: Sendable {
        let status: Int
        let json: JSONValue?
        let latencyMs: Double
    }

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

    /// One call; a node that does not answer throws ``AdminError/upstream(_:)`` naming it.
    func call(_ target: Target, _ method: String, _ path: String, body: JSONValue? = nil, bearer: String? = nil,
              requestID: String) async throws -> Reply {
        var request = HTTPClientRequest(url: (try await address(target).url()).absoluteString.trimmingSuffix("/") + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: RequestID.headerName, value: requestID)
        request.headers.add(name: "User-Agent", value: NodeHTTPClient.userAgent)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(body)))
        }
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
            let latency = ((ContinuousClock.now - started) / .microseconds(1)).rounded() / 1000
            return Reply(status: Int(response.status.code), json: try? CanonicalJSON.decode(Array(buffer: bytes)), latencyMs: latency)
        } catch {
            throw AdminError.upstream("\(target.rawValue) did not answer \(method) \(path) (\(NetworkFailure.describe(error)))")
        }
    }

    /// A JSON answer with status 2xx. A 404 or 409 is passed on as such (no such job; a job in a
    /// state that does not allow the action); anything else is an upstream error quoting the
    /// node's problem detail.
    func json(_ target: Target, _ path: String, method: String = "GET", body: JSONValue? = nil, bearer: String? = nil,
              requestID: String) async throws -> JSONValue {
        let reply = try await call(target, method, path, body: body, bearer: bearer, requestID: requestID)
        guard (200..<300).contains(reply.status), let json = reply.json else {
            if reply.status == 404 { throw AdminError.notFound(reply.json?["detail"]?.stringValue ?? "\(path) not found") }
            let refusal = "\(target.rawValue) refused \(method) \(path): \(reply.json?["detail"]?.stringValue ?? "HTTP \(reply.status)")"
            if reply.status == 409 { throw AdminError.conflict(refusal) }
            throw AdminError.upstream(refusal)
        }
        return json
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
