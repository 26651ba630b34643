import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("the pipeline on the Redis queue")
struct RedisPipelineTests {
    static func waitCommitted(_ gateway: String, ids: [String], token: String) async throws -> Int {
        var committed = Set<String>()
        for _ in 0..<300 where committed.count < ids.count {
            for id in ids where !committed.contains(id) {
                let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token)
                if (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed" { committed.insert(id) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return committed.count
    }

    @Test("split across processes: a gateway and a vp-node share one Redis queue, and what the gateway accepts commits")
    func splitGatewayAndProducer() async throws {
        let redis = try await RedisServer()
        defer { Task { await redis.stop() } }
        let nsPort = try Tools.freePort()
        let backData = try Tools.temporaryDirectory("split-back")
        let shared = ["JWT_SECRET": ClientToken.secret, "REDIS_URL": redis.url, "RATE_LIMIT_MAX_REQUESTS": "100000", "INTERNAL_TOKEN": String(repeating: "7", count: 64)]
        let back = try await NSDInstance(roles: ["ns", "vp"], environment: shared, dataDirectory: backData, nsPort: nsPort)
        let front = try await NSDInstance(roles: ["gateway"], environment: shared.merging(["NS_NODE_URL": "http://127.0.0.1:\(nsPort)"]) { $1 })
        let token = ClientToken.make(sub: "split")
        let gateway = front.url("gateway-node", "")
        var ids: [String] = []
        for index in 0..<20 {
            let answer = try await Fetched.submit(gateway, token: token, content: "split artifact \(index)")
            #expect(answer.status == 202)
            if let id = answer.json?["id"] as? String { ids.append(id) }
        }
        #expect(ids.count == 20)
        #expect(try await Self.waitCommitted(gateway, ids: ids, token: token) == 20)
        // The gateway process has no SQLite queue of its own: the jobs went through Redis.
        #expect(!FileManager.default.fileExists(atPath: front.dataDirectory + "/vp-node-data/queue.db"))
        #expect(!FileManager.default.fileExists(atPath: backData + "/vp-node-data/queue.db"))
        // vp-node's queue check writes to Redis (not to a SQLite store), and its queue gauges come from Redis.
        let health = try await Fetched.get(back.url("vp-node", "/health"))
        let checks = health.json?["checks"] as? [String: Any] ?? [:]
        #expect(health.status == 200)
        #expect((checks["queue"] as? [String: Any])?["detail"] as? String == "redis" && checks["store"] == nil, "\(checks)")
        try await Task.sleep(for: .milliseconds(1_500))
        let metrics = try await Fetched.get(back.url("vp-node", "/metrics")).body
        #expect(metrics.contains(#"ns_queue_jobs{state="completed",priority="normal"} 20.0"#), "completed gauge")
        #expect(await front.stop() == 0)
        #expect(await back.stop() == 0)
    }
}
