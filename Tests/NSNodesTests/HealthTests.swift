import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NSNodes
import NSTestSupport
import Testing

@Suite("GET /health")
struct HealthTests {
    func decode(_ response: TestResponse) throws -> HealthReport {
        try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
    }

    @Test("200 with one entry per dependency, each with a latency")
    func healthy() async throws {
        let folder = try Tools.temporaryDirectory()
        let database = try NodeDatabase(path: folder + "/node.db", variable: "DB_PATH", migrator: .node("test-node"))
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: [database.check()]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let report = try decode(response)
                #expect(report.status == "ok")
                #expect(report.service == "test-node")
                #expect(report.version == "0.1.0")
                #expect(report.uptimeSeconds >= 0)
                #expect(report.checks["store"]?.status == "ok")
                #expect((report.checks["store"]?.latencyMs ?? -1) >= 0)
                #expect(report.failing == nil)
            }
        }
    }

    @Test("503 naming the failing dependency when ns-node refuses connections")
    func refusedDependency() async throws {
        let port = try Tools.freePort()
        let address = PeerAddress(url: URL(string: "http://127.0.0.1:\(port)")!)
        let check = NSNodeCheck.make(address: address, client: .nodeFailingFast, timeout: .seconds(2))
        let folder = try Tools.temporaryDirectory()
        let database = try NodeDatabase(path: folder + "/node.db", variable: "DB_PATH", migrator: .node("test-node"))
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: [database.check(), check]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                let report = try decode(response)
                #expect(report.status == "fail")
                #expect(report.failing == ["ns-node"])
                #expect(report.checks["ns-node"]?.error == "connection refused")
                #expect(report.checks["store"]?.status == "ok")
            }
        }
    }

    @Test("a dependency that never answers fails at the time limit, not later")
    func hungDependency() async throws {
        let listener = try SilentListener()
        let address = PeerAddress(url: URL(string: "http://127.0.0.1:\(listener.port)")!)
        let check = NSNodeCheck.make(address: address, client: .nodeFailingFast, timeout: .seconds(10))
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: [check]), healthTimeout: .milliseconds(300))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try decode(response)
                #expect(report.checks["ns-node"]?.error == "timed out after 300 ms")
                // The probe itself would wait 10 s; the answer must not.
                #expect((report.checks["ns-node"]?.latencyMs ?? .infinity) < 5_000)
            }
        }
        withExtendedLifetime(listener) {}
    }

    @Test("a closed database is reported as a failing store")
    func closedStore() async throws {
        let folder = try Tools.temporaryDirectory()
        let database = try NodeDatabase(path: folder + "/node.db", variable: "DB_PATH", migrator: .node("test-node"))
        try database.close()
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: [database.check()]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try decode(response)
                #expect(report.failing == ["store"])
            }
        }
    }
}
