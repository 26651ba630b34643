import Foundation
import NSNodes
import NSQueue
import NSRedis
import NSTestSupport
import Testing

@Suite("/health's queue check against a real redis-server")
struct QueueStoreCheckTests {
    private func check(_ url: String) throws -> DependencyCheck {
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: url)!, poolSize: 1))  // test URLs are literals with a port
        return QueueStoreCheck.make(queue: RedisJobQueue(client: client), backend: "redis")
    }

    @Test("a store that takes writes passes, and the check names its backend")
    func passes() async throws {
        let redis = try await RedisServer()
        let check = try check(redis.url)
        _ = try await check.probe("t")
        #expect(check.name == "queue" && check.detail == "redis")
        await redis.stop()
    }

    @Test("a store that refuses writes fails with Redis's own reason, though it still answers PING")
    func refusesWrites() async throws {
        let redis = try await RedisServer(settings: ["--maxmemory", "4mb", "--maxmemory-policy", "noeviction", "--enable-debug-command", "local"])
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1))  // built from a port number
        _ = try await client.command(["DEBUG", "POPULATE", "60000", "filler", "128"])
        #expect(try await client.command(["PING"]).string == "PONG")
        await #expect {
            _ = try await check(redis.url).probe("t")
        } throws: { error in
            (error as? DependencyFailure)?.reason.hasPrefix("Redis refuses writes: OOM command not allowed") == true
        }
        await redis.stop()
    }

    @Test("a wrong password fails without echoing it")
    func authentication() async throws {
        let redis = try await RedisServer(password: "correct-horse")
        _ = try await check(redis.url).probe("t")
        await #expect {
            _ = try await check("redis://:battery-staple@127.0.0.1:\(redis.port)/0").probe("t")
        } throws: { error in
            let reason = (error as? DependencyFailure)?.reason ?? ""
            return reason.contains("authentication failed") && !reason.contains("battery")
        }
        await redis.stop()
    }

    @Test("a stopped server is reported as unreachable")
    func refused() async throws {
        let port = try Tools.freePort()
        await #expect {
            _ = try await check("redis://127.0.0.1:\(port)").probe("t")
        } throws: { error in
            (error as? DependencyFailure)?.reason.contains("connection refused") == true
        }
    }
}
