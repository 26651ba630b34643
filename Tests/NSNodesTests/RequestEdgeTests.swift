import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import NSTestSupport
import Testing

private struct UnexpectedFailure: Error {
    let secret = "internal-detail-that-must-not-leak"
}

@Suite("request edges: correlation ids and problem details")
struct RequestEdgeTests {
    static let blueprint = NodeBlueprint(checks: []) { router in
        router.get("/echo-id") { _, context in context.requestID }
        router.get("/invalid") { _, _ -> String in
            throw NodeError.invalidFields([.init(pointer: "/content", detail: "must not be empty")])
        }
        router.get("/down") { _, _ -> String in
            throw NodeError.dependencyUnavailable(dependency: "queue", retryAfterSeconds: 7)
        }
        router.get("/crash") { _, _ -> String in throw UnexpectedFailure() }
    }

    func problem(_ response: TestResponse) throws -> ProblemDetails {
        #expect(response.headers[.contentType] == ProblemDetails.mediaType)
        return try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: response.body))
    }

    @Test("a valid X-Request-ID is used, echoed and visible to handlers")
    func keepsValidID() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            try await client.execute(uri: "/echo-id", method: .get, headers: [.requestID: "trace-42"]) { response in
                #expect(response.headers[.requestID] == "trace-42")
                #expect(String(buffer: response.body) == "trace-42")
            }
        }
    }

    @Test("an invalid or missing X-Request-ID is replaced by a generated one")
    func replacesInvalidID() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            let tooLong = String(repeating: "x", count: 129)
            for headers: HTTPFields in [[.requestID: tooLong], [.requestID: "two words"], [:]] {
                try await client.execute(uri: "/echo-id", method: .get, headers: headers) { response in
                    let id = try #require(response.headers[.requestID])
                    #expect(id.hasPrefix("req_"))
                    #expect(String(buffer: response.body) == id)
                }
            }
        }
    }

    @Test("validation errors list each field by JSON pointer with status 422")
    func validationProblem() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            try await client.execute(uri: "/invalid", method: .get, headers: [.requestID: "v-1"]) { response in
                #expect(response.status == .unprocessableContent)
                let body = try problem(response)
                #expect(body.errors == [.init(pointer: "/content", detail: "must not be empty")])
                #expect(body.correlationId == "v-1")
                #expect(body.instance == "/invalid")
                #expect(body.type.hasSuffix("/validation"))
            }
        }
    }

    @Test("an unavailable dependency is 503 with Retry-After")
    func unavailableProblem() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            try await client.execute(uri: "/down", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                let body = try problem(response)
                #expect(body.detail?.contains("queue") == true)
            }
        }
    }

    @Test("an unexpected error is a 500 that reveals nothing but the correlation id")
    func internalProblem() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            try await client.execute(uri: "/crash", method: .get, headers: [.requestID: "c-9"]) { response in
                #expect(response.status == .internalServerError)
                let text = String(buffer: response.body)
                #expect(!text.contains("internal-detail") && !text.contains("UnexpectedFailure"))
                let body = try problem(response)
                #expect(body.detail?.contains("c-9") == true)
            }
        }
    }

    @Test("unknown routes and wrong methods are problem documents too")
    func routingProblems() async throws {
        try await makeNodeApp(blueprint: Self.blueprint).test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body.status == 404)
            }
        }
    }
}
