import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodeClient
import NSTestSupport
import Synchronization
import Testing

/// ``NodeClient/send(across:idempotent:_:)`` over real HTTP: Hummingbird apps on ports of their
/// own that answer 200, answer 503, or hang, and closed ports. Which of them a call reaches, and
/// which one later calls go to first.
@Suite("failover across several nodes over real HTTP")
struct NodeTargetsTests {
    static let client = NodeClient(caller: .node, http: NodeClient.failFast)

    /// How many requests a server received.
    final class Hits: Sendable {
        private let count = Atomic<Int>(0)
        func record() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    enum Behaviour: Sendable {
        case healthy, unavailable, hanging
    }

    /// A node that answers every GET and POST as `behaviour` says, counting the requests.
    static func withNode(_ behaviour: Behaviour, _ body: @escaping @Sendable (URL, Hits) async throws -> Void) async throws {
        let hits = Hits()
        let router = Router()
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            hits.record()
            switch behaviour {
            case .healthy: return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "answered")))
            case .unavailable: return Response(status: .serviceUnavailable)
            case .hanging:
                try await Task.sleep(for: .seconds(3))
                return Response(status: .ok)
            }
        }
        router.get("/**", use: answer)
        router.post("/**", use: answer)
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            try await body(try #require(URL(string: "http://127.0.0.1:\(port)")), hits)
        }
    }

    static func closedPort() throws -> URL {
        try #require(URL(string: "http://127.0.0.1:\(try Tools.freePort())"))
    }

    /// A GET of `path`, or a POST of an empty JSON array.
    static func send(post: Bool = false, _ path: String, across targets: NodeTargets, idempotent: Bool,
                     timeout: Duration = .seconds(5)) async throws(NodeCallError) -> NodeReply {
        try await client.send(across: targets, idempotent: idempotent) { base in
            post ? NodeRequest(.POST, node: "ns-node", base: base, path: path, timeout: timeout, jsonBody: Array("[]".utf8))
                : NodeRequest(.GET, node: "ns-node", base: base, path: path, timeout: timeout)
        }
    }

    @Test("a closed port listed first: the call reaches the next node, and later calls go straight to it")
    func closedFirst() async throws {
        try await Self.withNode(.healthy) { live, hits in
            let targets = NodeTargets([try Self.closedPort(), live])
            #expect(try await Self.send("/v1/blocks/latest", across: targets, idempotent: true).text == "answered")
            #expect(targets.preferredURL == live && targets.attemptOrder == [1, 0])
            // Not idempotent either: a refused connection never received the request.
            #expect(try await Self.send(post: true, "/v1/validators", across: NodeTargets([try Self.closedPort(), live]), idempotent: false).status == 200)
            #expect(hits.value == 2)
        }
    }

    @Test("a 503 moves an idempotent call (GET, POST /tx) on to the next node, and is the answer of POST /v1/validators")
    func unavailableFailsOverOnlyWhenIdempotent() async throws {
        try await Self.withNode(.unavailable) { sick, sickHits in
            try await Self.withNode(.healthy) { live, liveHits in
                let targets = NodeTargets([sick, live])
                #expect(try await Self.send(post: true, "/tx", across: targets, idempotent: true).status == 200)
                #expect(sickHits.value == 1 && liveHits.value == 1 && targets.preferredURL == live)

                let fresh = NodeTargets([sick, live])
                let refused = try await Self.send(post: true, "/v1/validators", across: fresh, idempotent: false)
                #expect(refused.status == 503)
                #expect(sickHits.value == 2 && liveHits.value == 1, "the validator change went to one node only")
                #expect(fresh.preferredURL == sick)
            }
        }
    }

    @Test("no answer within the deadline moves an idempotent call on; a change that may have been applied is not repeated")
    func readTimeoutFailsOverOnlyWhenIdempotent() async throws {
        try await Self.withNode(.hanging) { hung, _ in
            try await Self.withNode(.healthy) { live, liveHits in
                let reply = try await Self.send(post: true, "/blocks/produce", across: NodeTargets([hung, live]), idempotent: true, timeout: .milliseconds(500))
                #expect(reply.status == 200 && liveHits.value == 1)

                let error = await #expect(throws: NodeCallError.self) {
                    try await Self.send(post: true, "/v1/validators", across: NodeTargets([hung, live]), idempotent: false, timeout: .milliseconds(500))
                }
                #expect(error?.failure == .timedOut(connecting: false))
                #expect(liveHits.value == 1)
            }
        }
    }

    @Test("when every node fails the call fails as the last one did; a node that answered stays first until it fails")
    func everyNodeDown() async throws {
        let error = await #expect(throws: NodeCallError.self) {
            try await Self.send("/health", across: NodeTargets([try Self.closedPort(), try Self.closedPort()]), idempotent: true)
        }
        #expect(error?.failure == .unreachable("connection refused"))

        try await Self.withNode(.healthy) { first, firstHits in
            try await Self.withNode(.healthy) { second, secondHits in
                let targets = NodeTargets([first, second])
                for _ in 0..<3 { _ = try await Self.send("/health", across: targets, idempotent: true) }
                #expect(firstHits.value == 3 && secondHits.value == 0)
            }
        }
    }
}
