import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodeClient
import NSTestSupport
import Testing

/// ``NodeClient`` against a real HTTP server (a Hummingbird app on a port of its own) and a
/// closed port: what each kind of answer, and each kind of no answer, becomes.
@Suite("node client over real HTTP")
struct NodeClientTests {
    static let client = NodeClient(caller: .node, http: NodeClient.failFast)

    /// A server with the answers the tests need: an echo of the request, a problem document, a
    /// body that is not JSON, and an answer that comes too late.
    static func server() -> some ApplicationProtocol {
        let router = Router()
        router.post("/echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let echo: JSONValue = [
                "authorization": .string(request.headers[.authorization] ?? ""),
                "requestID": .string(request.headers.first { $0.name.canonicalName == RequestID.headerName.lowercased() }?.value ?? ""),
                "userAgent": .string(request.headers[.userAgent] ?? ""),
                "contentType": .string(request.headers[.contentType] ?? ""),
                "body": .string(String(buffer: body)),
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(echo))))
        }
        router.post("/blocks") { _, _ -> Response in
            let problem: JSONValue = ["type": "about:blank", "title": "Conflict", "status": 409, "detail": "height 5 is taken",
                                      "errors": [["pointer": "/header/height", "detail": "is taken"]]]
            return Response(status: .conflict, headers: [.contentType: "application/problem+json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(problem))))
        }
        router.get("/text") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "plain words")))
        }
        router.get("/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok)
        }
        return Application(router: router)
    }

    /// Runs `body` with the server's base URL.
    static func withServer(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        try await server().test(.live) { client in
            let port = try #require(client.port)
            try await body(try #require(URL(string: "http://127.0.0.1:\(port)")))
        }
    }

    @Test("a JSON answer is decoded, and the request carries the bearer token, correlation id, caller and JSON body")
    func jsonReply() async throws {
        try await Self.withServer { base in
            let request = NodeRequest(.POST, node: "test-node", base: base.appending(path: "/"), path: "/echo", timeout: .seconds(10),
                                      requestID: "req_test", bearer: "token-1", json: ["n": 1])
            let reply = try await Self.client.send(request)
            #expect(reply.status == 200 && reply.call == NodeCall(node: "test-node", method: "POST", path: "/echo"))
            let echo = try reply.json()
            #expect(echo["authorization"] == "Bearer token-1")
            #expect(echo["requestID"] == "req_test")
            #expect(echo["userAgent"]?.stringValue == "nsd/" + NeuroSwarmVersion.current)
            #expect(echo["contentType"] == "application/json")
            #expect(echo["body"] == #"{"n":1}"#)
        }
    }

    @Test("a problem+json answer is the typed problem, with its status, title, detail and field errors")
    func problemAnswer() async throws {
        try await Self.withServer { base in
            let reply = try await Self.client.send(NodeRequest(.POST, node: "test-node", base: base, path: "/blocks", timeout: .seconds(10)))
            #expect(reply.status == 409)
            let error = try #require(throws: NodeCallError.self) { try reply.json() }
            guard case .problem(let problem) = error.failure else {
                Issue.record("expected a problem, got \(error.failure)")
                return
            }
            #expect(problem.status == 409 && problem.title == "Conflict" && problem.detail == "height 5 is taken" && problem.type == "about:blank")
            #expect(problem.fieldErrors == [.init(pointer: "/header/height", detail: "is taken")])
            #expect(problem.summary == "HTTP 409: height 5 is taken (/header/height is taken)")
            #expect(error.description == "test-node refused POST /blocks: height 5 is taken")
            #expect(!error.isNoAnswer)
            #expect(try reply.accept([200, 409]).status == 409, "a status the caller accepts is no error")
        }
    }

    @Test("a 200 whose body is not JSON is unreadable, not a problem")
    func unreadableAnswer() async throws {
        try await Self.withServer { base in
            let reply = try await Self.client.send(NodeRequest(node: "test-node", base: base, path: "/text", timeout: .seconds(10)))
            let error = try #require(throws: NodeCallError.self) { try reply.json() }
            #expect(error.failure == .unreadable("invalid JSON"))
            #expect(error.description == "test-node answered GET /text with invalid JSON")
            #expect(NodeProblem(status: 502, body: reply.body).summary == "HTTP 502: plain words")
        }
    }

    @Test("a closed port is unreachable at once (connection refused), not retried until the deadline")
    func closedPort() async throws {
        let port = try Tools.freePort()
        let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let started = ContinuousClock.now
        let error = await #expect(throws: NodeCallError.self) {
            try await Self.client.send(NodeRequest(node: "test-node", base: base, path: "/health", timeout: .seconds(30)))
        }
        #expect(ContinuousClock.now - started < .seconds(10), "failed fast, well before the 30 s deadline")
        #expect(error?.failure == .unreachable("connection refused"))
        #expect(error?.isNoAnswer == true)
        #expect(error?.description == "test-node did not answer GET /health (connection refused)")
    }

    @Test("an answer later than the deadline is a timeout")
    func timeout() async throws {
        try await Self.withServer { base in
            let error = await #expect(throws: NodeCallError.self) {
                try await Self.client.send(NodeRequest(node: "test-node", base: base, path: "/slow", timeout: .milliseconds(300)))
            }
            #expect(error?.failure == .timedOut(connecting: false))
            #expect(error?.reason == "timed out")
            #expect(error?.description == "test-node did not answer GET /slow (timed out)")
        }
    }
}
