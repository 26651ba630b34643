import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// nsctl's HTTP calls to one node, with a deadline and errors an operator can act on.
struct NodeClient: Sendable {
    let base: URL
    let name: String
    let timeout: Duration

    struct Reply: Sendable {
        let status: Int
        let body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func get(_ path: String) async throws -> Reply {
        let request = HTTPClientRequest(url: base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return Reply(status: Int(response.status.code), body: Array(body.readableBytesView))
        } catch {
            throw CommandFailure("\(name) at \(base.absoluteString) did not answer (\(NetworkFailure.describe(error))); check that it runs and --ns-url / NS_NODE_URL")
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
