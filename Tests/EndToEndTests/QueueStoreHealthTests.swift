import Foundation
import NSQueue
import NSRedis
import NSTestSupport
import Testing

/// `/health` and `nsctl health` when the queue's store cannot take writes, with real stores
/// brought to that state: a `redis-server` filled past its `maxmemory`, a tmpfs filled to the brim.
@Suite("the queue store's health, end to end", .serialized)
struct QueueStoreHealthTests {
    private static func usedMemory(_ redis: RedisClient) async throws -> Int64 {
        try await RedisJobQueue(client: redis).storeUsage().usedBytes
    }

    /// Waits until vp-node's `/metrics` shows a store limit (its housekeeping reads Redis every second).
    private static func waitForLimit(_ nsd: NSDInstance, _ expected: Int64) async throws {
        for _ in 0..<50 {
            if try await Fetched.get(nsd.url("vp-node", "/metrics")).body.contains("ns_queue_store_limit_bytes \(Double(expected))") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("vp-node never reported ns_queue_store_limit_bytes \(expected)")
    }

    @Test("Redis near maxmemory is WARNING with the figure; past it (OOM) /health answers 503 naming the queue, submissions fail, nsctl is CRITICAL")
    func redisFull() async throws {
        let server = try await RedisServer(settings: ["--maxmemory-policy", "noeviction", "--enable-debug-command", "local"])
        let redis = RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!, poolSize: 1))  // built from a port number
        let nsd = try await NSDInstance(environment: ["REDIS_URL": server.url, "JWT_SECRET": ClientToken.secret])
        let folder = try Tools.temporaryDirectory("store-health")
        let environment = NSCtlHealthTests.environment(nsd)
        _ = try await redis.command(["DEBUG", "POPULATE", "60000", "filler", "128"])

        let nearly = try await Self.usedMemory(redis) * 100 / 93
        _ = try await redis.command(["CONFIG", "SET", "maxmemory", RedisArgument(nearly)])
        try await Self.waitForLimit(nsd, nearly)
        let warning = try await NSCtlRunner.run(["health"], environment: environment, directory: folder)
        #expect(warning.status == 1, "\(warning.stdout)")
        #expect(warning.stdout.hasPrefix("NEUROSWARM WARNING - ") && warning.stdout.contains("queue store "), "\(warning.stdout)")
        #expect(warning.stdout.contains(/queue_store=9[0-9]\.[0-9]%;90;100;0;100/), "\(warning.stdout)")

        let full = try await Self.usedMemory(redis) * 100 / 110
        _ = try await redis.command(["CONFIG", "SET", "maxmemory", RedisArgument(full)])
        for service in ["gateway-node", "vp-node"] {
            let health = try await Fetched.get(nsd.url(service, "/health"))
            #expect(health.status == 503, "\(service): \(health.body)")
            #expect(health.json?["failing"] as? [String] == ["queue"], "\(service): \(health.body)")
            let queue = (health.json?["checks"] as? [String: Any])?["queue"] as? [String: Any]
            #expect((queue?["error"] as? String)?.hasPrefix("Redis refuses writes: OOM") == true, "\(service): \(health.body)")
        }
        let refused = try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "full"), content: "one too many")
        #expect(refused.status == 503, "\(refused.body)")
        let critical = try await NSCtlRunner.run(["health"], environment: environment, directory: folder)
        #expect(critical.status == 2, "\(critical.stdout)")
        #expect(critical.stdout.contains("gateway-node degraded (failing: queue)"), "\(critical.stdout)")

        // Room again: healthy again, with nothing to restart.
        _ = try await redis.command(["CONFIG", "SET", "maxmemory", "0"])
        #expect(try await Fetched.get(nsd.url("gateway-node", "/health")).status == 200)
        #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "full"), content: "room again").status == 202)
        #expect(await nsd.stop() == 0)
        await server.stop()
    }

    @Test("SQLite on a full disk (a real tmpfs under vp-node-data, filled): /health answers 503 naming the full disk; nsctl is CRITICAL")
    func sqliteDiskFull() async throws {
        let data = try Tools.temporaryDirectory("store-health-data")
        let tmpfs = try Tmpfs(at: data + "/vp-node-data", size: "48m")
        defer { tmpfs.unmount() }
        let nsd = try await NSDInstance(dataDirectory: data)
        #expect(try await Fetched.get(nsd.url("gateway-node", "/health")).status == 200)

        try tmpfs.fill()

        for service in ["gateway-node", "vp-node"] {
            let health = try await Fetched.get(nsd.url(service, "/health"))
            #expect(health.status == 503, "\(service): \(health.body)")
            let queue = (health.json?["checks"] as? [String: Any])?["queue"] as? [String: Any]
            #expect((queue?["error"] as? String)?.contains("is full") == true, "\(service): \(health.body)")
        }
        let critical = try await NSCtlRunner.run(["health"], environment: NSCtlHealthTests.environment(nsd), directory: try Tools.temporaryDirectory("store-health"))
        #expect(critical.status == 2, "\(critical.stdout)")
        #expect(critical.stdout.contains("failing: queue"), "\(critical.stdout)")

        try FileManager.default.removeItem(atPath: tmpfs.fillerPath)
        #expect(try await Fetched.get(nsd.url("gateway-node", "/health")).status == 200)
        #expect(await nsd.stop() == 0)
    }
}
