import Foundation
import GRDB
import NSQueue
import NSTestSupport
import Testing

@Suite("health and metrics of a running nsd")
struct DependencyHealthTests {
    @Test("every node's live /metrics passes promtool")
    func liveMetricsPassPromtool() async throws {
        let nsd = try await NSDInstance()
        for service in ["gateway-node", "ns-node", "vp-node", "admin-node"] {
            _ = try await Fetched.get(nsd.url(service, "/health"))
            let metrics = try await Fetched.get(nsd.url(service, "/metrics"))
            let check = try Tools.run(try Tools.which("promtool"), ["check", "metrics"], input: Data(metrics.body.utf8))
            #expect(check.status == 0, "\(service): \(check.output)")
            // ns-node also counts the probes of the other nodes, so only presence is exact here.
            #expect(metrics.body.contains("ns_http_requests_total{node=\"\(service)\",route=\"/health\",method=\"GET\",status=\"200\"} "))
        }
        #expect(await nsd.stop() == 0)
    }

    @Test("with REDIS_URL the gateway's queue check uses Redis, and fails naming the queue when Redis stops")
    func redisInHealth() async throws {
        let redis = try await RedisServer(password: "e2e-redis-pass")
        let ledger = try await NSDInstance(roles: ["ns"])
        let gateway = try await NSDInstance(roles: ["gateway"], environment: [
            "REDIS_URL": redis.url, "NS_NODE_URL": "http://127.0.0.1:\(ledger.ports["ns-node"] ?? 0)",
        ])
        let healthy = try await Fetched.get(gateway.url("gateway-node", "/health"))
        #expect(healthy.status == 200, "\(healthy.body)")
        let checks = healthy.json?["checks"] as? [String: Any]
        #expect(Set(checks?.keys.map { $0 } ?? []) == ["ns-node", "queue"])
        #expect((checks?["queue"] as? [String: Any])?["detail"] as? String == "redis")

        await redis.stop()
        let unhealthy = try await Fetched.get(gateway.url("gateway-node", "/health"))
        #expect(unhealthy.status == 503)
        #expect(unhealthy.json?["failing"] as? [String] == ["queue"])
        #expect(unhealthy.headers["retry-after"] != nil)
        #expect(!unhealthy.body.contains("e2e-redis-pass"))
        #expect(!gateway.child.stdout.contains("e2e-redis-pass"))

        #expect(await gateway.stop() == 0)
        #expect(await ledger.stop() == 0)
    }

    @Test("vp-node exports the queue's gauges, read from the shared queue file, and they pass promtool")
    func queueGauges() async throws {
        let nsd = try await NSDInstance(roles: ["vp", "ns"])
        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        try await queue.setPaused(true)  // so vp-node's workers leave the jobs queued
        _ = try await queue.enqueue(batch: (0..<3).map { NewJob(type: "artifact", payload: Array("\($0)".utf8), priority: .high) })
        _ = try await queue.enqueue(NewJob(type: "artifact", payload: [], priority: .low))
        let metrics = try await Fetched.get(nsd.url("vp-node", "/metrics"))
        #expect(metrics.body.contains(#"ns_queue_jobs{state="queued",priority="high"} 3.0"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"ns_queue_jobs{state="queued",priority="low"} 1.0"#))
        #expect(metrics.body.contains(#"ns_queue_jobs{state="dead_letter",priority="normal"} 0.0"#))
        #expect(metrics.body.contains("ns_queue_oldest_age_seconds "))
        let check = try Tools.run(try Tools.which("promtool"), ["check", "metrics"], input: Data(metrics.body.utf8))
        #expect(check.status == 0, "\(check.output)")
        #expect(await nsd.stop() == 0)
    }
}
