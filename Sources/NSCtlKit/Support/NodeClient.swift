import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NSCore

/// nsctl's HTTP calls to one node, with a deadline and errors an operator can act on.
struct NodeClient: Sendable {
    let base: URL
    let name: String
    let timeout: Duration
    /// Where the operator sets this node's address, for error messages (`--ns-url / NS_NODE_URL`).
    var addressHint = "--ns-url / NS_NODE_URL"

    /// The exit status when a node cannot be reached: EX_UNAVAILABLE from sysexits.h.
    static let unavailable: Int32 = 69

    /// nsctl's HTTP client: a refused connection fails at once instead of being retried until
    /// the request's deadline. Process-wide and never shut down (a global is never deinitialised).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    struct Reply: Sendable {
        let status: Int
        let body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, path, headers: headers)
    }

    /// Any request; a JSON `body` is sent as `application/json`.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "nsctl/\(NeuroSwarmVersion.current)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            // A refused connection fails at once (is nsd running?) instead of being retried
            // until the deadline.
            let response = try await Self.client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return Reply(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch {
            throw CommandFailure("cannot reach \(name) at \(base.absoluteString) (\(NetworkFailure.describe(error))): is nsd running? "
                                 + "Start it with ./scripts/start, or point \(addressHint) at it", exitCode: Self.unavailable)
        }
    }

    /// The `detail` of a problem-details answer (and each field error), or the start of the body.
    static func problem(_ reply: Reply) -> String {
        guard let document = try? CanonicalJSON.decode(reply.body) else { return "HTTP \(reply.status): \(reply.text.prefix(200))" }
        var text = "HTTP \(reply.status): " + (document["detail"]?.stringValue ?? document["title"]?.stringValue ?? "error")
        let fields = (document["errors"]?.arrayValue ?? []).compactMap { error -> String? in
            guard let pointer = error["pointer"]?.stringValue, let detail = error["detail"]?.stringValue else { return nil }
            return "\(pointer.isEmpty ? "body" : pointer) \(detail)"
        }
        if !fields.isEmpty { text += " (" + fields.joined(separator: "; ") + ")" }
        return text
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
