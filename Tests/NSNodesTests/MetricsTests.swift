import Foundation
import Hummingbird
import HummingbirdTesting
import NSNodes
import NSTestSupport
import Testing

@Suite("GET /metrics")
struct MetricsTests {
    static let itemRoute = NodeBlueprint(checks: []) { router in
        router.get("/items/{id}") { _, _ in "item" }
    }

    @Test("passes promtool, labels requests by route template, exports process metrics")
    func exposition() async throws {
        let app = makeNodeApp(blueprint: Self.itemRoute)
        let text = try await app.test(.router) { client in
            for id in ["1", "2", "3"] {
                try await client.execute(uri: "/items/\(id)", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/no/such/path", method: .get) { #expect($0.status == .notFound) }
            return try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                return String(buffer: response.body)
            }
        }
        let promtool = try Tools.run(try Tools.which("promtool"), ["check", "metrics"], input: Data(text.utf8))
        #expect(promtool.status == 0, "promtool: \(promtool.output)")
        #expect(text.contains(#"ns_http_requests_total{node="test-node",route="/items/{id}",method="GET",status="200"} 3"#))
        #expect(!text.contains("/items/1") && !text.contains("/no/such/path"))
        #expect(text.contains(#"ns_http_request_duration_seconds_count{node="test-node",route="/items/{id}",method="GET",status="200"} 3"#))
        for name in ["process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            let sample = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            let value = try #require(sample.flatMap { Double($0.split(separator: " ")[1]) }, "\(name) missing")
            #expect(value > 0, "\(name) should be positive")
        }
        #expect(!text.contains(MetricCatalogue.undocumented))
    }

    @Test("ENABLE_METRICS=false answers 404 problem details")
    func disabled() async throws {
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: []), metricsEnabled: false)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
            }
        }
    }

    @Test("two nodes in one process keep separate series")
    func perNodeRegistries() async throws {
        let gateway = NodeMetrics(node: "gateway-node")
        let ledger = NodeMetrics(node: "ns-node")
        gateway.recordRequest(route: "/health", method: .get, status: .ok, duration: .milliseconds(3))
        let ledgerText = String(decoding: ledger.render(), as: UTF8.self)
        let gatewayText = String(decoding: gateway.render(), as: UTF8.self)
        #expect(gatewayText.contains(#"node="gateway-node""#))
        #expect(!ledgerText.contains(#"node="gateway-node""#))
        #expect(!ledgerText.contains("ns_http_requests_total{"))
    }
}
