import Foundation
import NIOHTTP1
import NSCore
import NSNodeClient

/// One node nsctl talks to, through ``NodeClient``: its address (or several interchangeable
/// ones, `NS_NODE_URL` listing several ns-nodes, which calls fail over across), how messages name
/// it, and the deadline of each call. A node that does not answer is a ``CommandFailure`` an
/// operator can act on, with exit status ``unavailable``; what a node answers is the caller's to judge.
struct NodeEndpoint: Sendable {
    let targets: NodeTargets
    let name: String
    let timeout: Duration
    /// Where the operator sets this node's address, for error messages (`--ns-url / NS_NODE_URL`).
    var addressHint = "--ns-url / NS_NODE_URL"

    init(bases: [URL], name: String, timeout: Duration, addressHint: String = "--ns-url / NS_NODE_URL") {
        self.targets = NodeTargets(bases)
        self.name = name
        self.timeout = timeout
        self.addressHint = addressHint
    }

    init(base: URL, name: String, timeout: Duration, addressHint: String = "--ns-url / NS_NODE_URL") {
        self.init(bases: [base], name: name, timeout: timeout, addressHint: addressHint)
    }

    /// The address as messages give it: the URL, or every URL listed, comma-separated.
    var address: String { targets.urls.map(\.absoluteString).joined(separator: ", ") }

    /// The exit status when a node cannot be reached: EX_UNAVAILABLE from sysexits.h.
    static let unavailable: Int32 = 69

    /// nsctl's HTTP client: a refused connection fails at once (is nsd running?) instead of being
    /// retried until the request's deadline. Process-wide and never shut down (a global is never
    /// deinitialised).
    static let client = NodeClient(caller: .nsctl, http: NodeClient.failingFast(connectTimeout: nil))

    /// The largest answer nsctl reads (a block with its transactions).
    static let maxBodyBytes = 256 * 1024 * 1024

    /// GET `path`; an answer longer than `maxBodyBytes` fails the call.
    func get(_ path: String, bearer: String? = nil, maxBodyBytes: Int = maxBodyBytes) async throws -> NodeReply {
        try await send(.GET, path, bearer: bearer, maxBodyBytes: maxBodyBytes)
    }

    /// Any request; a JSON `body` is sent as `application/json`. A GET fails over across the
    /// listed addresses (``NodeClient/send(across:idempotent:_:)``); other methods only when
    /// an address cannot be reached at all.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, bearer: String? = nil,
              headers: [(String, String)] = [], maxBodyBytes: Int = maxBodyBytes) async throws -> NodeReply {
        do {
            return try await Self.client.send(across: targets, idempotent: method == .GET) { base in
                var request = NodeRequest(method, node: name, base: base, path: path, timeout: timeout, bearer: bearer, jsonBody: body)
                request.headers = headers
                request.maxBodyBytes = maxBodyBytes
                return request
            }
        } catch {
            if error.reason == NetworkFailure.untrustedCertificate {
                throw CommandFailure("cannot reach \(name) at \(address): \(error.reason)", exitCode: Self.unavailable)
            }
            throw CommandFailure("cannot reach \(name) at \(address) (\(error.reason)): is nsd running? "
                                 + "Start it with ./scripts/start, or point \(addressHint) at it", exitCode: Self.unavailable)
        }
    }

    /// GET expecting 200 and JSON; `missing` names what a 404 means.
    func json(_ path: String, missing: String? = nil) async throws -> JSONValue {
        let reply = try await get(path)
        if reply.status == 404, let missing { throw CommandFailure(missing) }
        guard reply.status == 200 else { throw CommandFailure("\(name) answered HTTP \(reply.status) to GET \(path): \(reply.text.prefix(200))") }
        do {
            return try CanonicalJSON.decode(reply.body)
        } catch {
            throw CommandFailure("\(name) answered GET \(path) with invalid JSON (\(error.description))")
        }
    }
}
