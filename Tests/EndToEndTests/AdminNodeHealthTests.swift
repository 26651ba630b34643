import Foundation
import NSTestSupport
import Testing

/// admin-node's overview lists every node's `/health`, and for a node answering 503 the checks
/// that fail, read from the report the node sends (whose latencies are fractional numbers).
@Suite("admin-node's node health table")
struct AdminNodeHealthTests {
    @Test("a degraded gateway shows as down with its failing check on the overview")
    func failingChecksListed() async throws {
        // ns-node is unreachable: the gateway answers /health with 503, failing: ns-node.
        let nsd = try await NSDInstance(roles: ["gateway", "admin"],
                                        environment: AdminTests.environment.merging(["NS_NODE_URL": "http://127.0.0.1:9", "NS_CHECK_RETRIES": "0"]) { $1 })
        let gatewayHealth = try await Fetched.get(nsd.url("gateway-node", "/health"))
        #expect(gatewayHealth.status == 503 && gatewayHealth.body.contains("\"latencyMs\":"), "\(gatewayHealth.body)")

        let token = try await AdminClient.token(role: "viewer", sub: "carol", secret: AdminTests.adminSecret)
        let overview = try await AdminClient(base: nsd.url("admin-node", "")).get("/api/overview", bearer: token)
        #expect(overview.status == 200, "\(overview.body)")
        let rows = overview.json?["nodes"] as? [[String: Any]] ?? []
        let gateway = try #require(rows.first { $0["name"] as? String == "gateway-node" }, "\(overview.body)")
        #expect(gateway["status"] as? String == "down (HTTP 503)", "\(gateway)")
        #expect(gateway["detail"] as? String == "failing: ns-node", "the failing check is listed: \(gateway)")
        #expect(await nsd.stop() == 0)
    }
}
