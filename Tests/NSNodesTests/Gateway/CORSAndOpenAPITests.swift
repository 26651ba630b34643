import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import Testing

@Suite("gateway CORS and OpenAPI")
struct CORSAndOpenAPITests {
    static let allowed = "https://app.example"

    @Test("a listed origin gets its preflight and its origin echoed; any other gets 403 and no CORS headers")
    func cors() async throws {
        let fixture = try GatewayFixture(environment: ["CORS_ORIGIN": "\(Self.allowed), https://admin.example"])
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.router) { client in
            let preflight: HTTPFields = [.origin: Self.allowed, .accessControlRequestMethod: "POST",
                                         .accessControlRequestHeaders: "authorization, content-type"]
            try await client.execute(uri: "/api/submit", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
                #expect(response.headers[.vary] == "Origin")
            }
            var foreign = preflight
            foreign[.origin] = "https://evil.example"
            try await client.execute(uri: "/api/submit", method: .options, headers: foreign) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            var request = GatewayFixture.json(token)
            request[.origin] = Self.allowed
            try await client.execute(uri: "/api/submit", method: .post, headers: request, body: ByteBuffer(string: #"{"content":"x"}"#)) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[.accessControlAllowOrigin] == Self.allowed)
                #expect(response.headers[.accessControlExposeHeaders]?.contains("RateLimit-Remaining") == true)
            }
            request[.origin] = "https://evil.example"
            try await client.execute(uri: "/api/status/x", method: .get, headers: request) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
        let disabled = try GatewayFixture(environment: ["ENABLE_CORS": "false"])
        try await disabled.app().test(.router) { client in
            try await client.execute(uri: "/api/submit", method: .options, headers: [.origin: Self.allowed, .accessControlRequestMethod: "POST"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test("NODE_ENV=production with CORS_ORIGIN=* refuses to start, naming the variable")
    func productionWildcard() throws {
        #expect {
            _ = try DaemonSettings.load(roles: [.gateway], source: ConfigurationSource(environment: [
                "NODE_ENV": "production", "CORS_ORIGIN": "*", "JWT_SECRET": String(repeating: "a", count: 64),
                "INTERNAL_TOKEN": String(repeating: "b", count: 64),
            ]))
        } throws: { error in
            (error as? ConfigurationError)?.variable == "CORS_ORIGIN"
        }
    }

    /// The committed document as `docs/openapi.json` shows it (a link to the one the gateway embeds).
    static func committedDocument() throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
    }

    @Test("/openapi.json is docs/openapi.json, and it lists exactly the routes the gateway serves")
    func openAPI() async throws {
        let fixture = try GatewayFixture()
        let served = try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return Data(buffer: response.body)
            }
        }
        #expect(served == (try Self.committedDocument()), "docs/openapi.json must link to Sources/NSNodes/Gateway/openapi.json, which the gateway embeds")
        let document = try #require(try JSONSerialization.jsonObject(with: served) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let router = NodeRouter.make(service: "gateway-node", blueprint: await fixture.blueprint(), metrics: NodeMetrics(node: "gateway-node"),
                                     metricsEnabled: true, healthTimeout: .seconds(1))
        let routes = Set(router.routes.map { "\($0.method) \(Self.openAPIPath($0.path.description))" })
        #expect(routes == documented)
        // Every $ref resolves.
        let text = String(decoding: served, as: UTF8.self)
        let components = try #require(document["components"] as? [String: [String: Any]])
        for match in text.matches(of: /"\$ref": "#\/components\/(\w+)\/([\w-]+)"/) {
            #expect(components[String(match.1)]?[String(match.2)] != nil, "\(match.0)")
        }
    }

    @Test("a known path asked with another method is 405 problem details with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let fixture = try GatewayFixture()
        try await fixture.app().test(.router) { client in
            for (uri, method, allow) in [("/api/submit", HTTPRequest.Method.trace, "POST"), ("/api/status/job_x", .delete, "GET"),
                                         ("/api/status/job_x/proof", .put, "GET"), ("/health", .post, "GET"), ("/openapi.json", .patch, "GET")] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            try await client.execute(uri: "/api/nothing", method: .trace) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    /// `/api/status/{id}` is Hummingbird's and OpenAPI's spelling alike; strip a leading slash difference.
    static func openAPIPath(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/" + path
    }
}
