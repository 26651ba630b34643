import Foundation
import NIOHTTP1
import NSCore

/// What one call to a node is, for messages: the node's name and the request line.
public struct NodeCall: Sendable, Equatable, CustomStringConvertible {
    /// How messages name the node (`ns-node`, `the gateway`).
    public let node: String
    /// `GET`, `POST`, …, as in the request line.
    public let method: String
    /// The path and query, without the node's base URL (which may carry credentials).
    public let path: String

    public init(node: String, method: String, path: String) {
        self.node = node
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }
}

/// One request to a node: method, the node's base URL and a path, a deadline, and optionally a
/// correlation id, a bearer token and a JSON body. Holds the token, so it is never logged.
public struct NodeRequest: Sendable {
    /// The node and request line, for messages about this call.
    public let call: NodeCall
    /// The HTTP method sent.
    public let method: HTTPMethod
    /// The base URL (without trailing `/`) followed by the path.
    public let url: String
    /// The deadline for the whole call, connecting included; past it the call fails as timed out.
    public var timeout: Duration
    /// Sent as `X-Request-ID`, so one id follows a request across nodes.
    public var requestID: String?
    /// Sent as `Authorization: Bearer …`.
    public var bearer: String?
    /// Sent as the body with `Content-Type: application/json` (or ``bodyContentType``).
    public var jsonBody: [UInt8]?
    /// The `Content-Type` of the body, for the rare call whose body is not JSON (a witness's
    /// `add-checkpoint` takes text).
    public var bodyContentType = "application/json"
    /// Further headers (`Idempotency-Key`).
    public var headers: [(String, String)] = []
    /// The largest answer accepted; a larger one fails the call as unreachable. The default fits
    /// every lookup, proof and `/health` answer; callers that read pages of transactions raise it.
    public var maxBodyBytes = 4 * 1024 * 1024

    /// `method base/path` to the node that messages call `node`.
    public init(_ method: HTTPMethod = .GET, node: String, base: URL, path: String, timeout: Duration, requestID: String? = nil,
                bearer: String? = nil, jsonBody: [UInt8]? = nil) {
        let base = base.absoluteString
        self.call = NodeCall(node: node, method: method.rawValue, path: path)
        self.method = method
        self.url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
        self.timeout = timeout
        self.requestID = requestID
        self.bearer = bearer
        self.jsonBody = jsonBody
    }

    /// The same, with `body` sent as canonical JSON.
    public init(_ method: HTTPMethod, node: String, base: URL, path: String, timeout: Duration, requestID: String? = nil,
                bearer: String? = nil, json body: JSONValue) {
        self.init(method, node: node, base: base, path: path, timeout: timeout, requestID: requestID, bearer: bearer,
                  jsonBody: CanonicalJSON.encode(body))
    }
}
