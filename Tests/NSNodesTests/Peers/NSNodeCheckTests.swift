import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
@testable import NSNodes
import NSTestSupport
import Testing

/// The `ns-node` health check with several ns-nodes listed (`NS_NODE_URL=a,b`): a real ns-node
/// on a port of its own and closed ports.
@Suite("the ns-node check across several ns-nodes")
struct NSNodeCheckTests {
    func report(_ check: DependencyCheck) async throws -> HealthReport {
        let app = makeNodeApp(blueprint: NodeBlueprint(checks: [check]))
        return try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
            }
        }
    }

    @Test("healthy while one answers, the detail naming the one down; failing naming each when none answers")
    func severalNSNodes() async throws {
        let closed = try #require(URL(string: "http://127.0.0.1:\(try Tools.freePort())"))
        try await LiveLedgerNode().serve { live in
            let liveURL = try await live.url()
            let check = NSNodeCheck.make(address: PeerAddress(urls: [closed, liveURL]), client: .nodeFailingFast, timeout: .seconds(2))
            let healthy = try await report(check)
            #expect(healthy.status == "ok")
            #expect(healthy.checks["ns-node"]?.status == "ok")
            #expect(healthy.checks["ns-node"]?.detail == "1 of 2 ns-nodes answer; down: \(closed.absoluteString) (connection refused)")

            let allUp = try await report(NSNodeCheck.make(address: PeerAddress(urls: [liveURL]), client: .nodeFailingFast, timeout: .seconds(2)))
            #expect(allUp.checks["ns-node"]?.status == "ok" && allUp.checks["ns-node"]?.detail == nil)
        }
        let other = try #require(URL(string: "http://127.0.0.1:\(try Tools.freePort())"))
        let down = try await report(NSNodeCheck.make(address: PeerAddress(urls: [closed, other]), client: .nodeFailingFast, timeout: .seconds(2)))
        #expect(down.status == "fail" && down.failing == ["ns-node"])
        #expect(down.checks["ns-node"]?.error == "none of the 2 ns-nodes answers: \(closed.absoluteString) (connection refused), "
                + "\(other.absoluteString) (connection refused)")
    }
}
