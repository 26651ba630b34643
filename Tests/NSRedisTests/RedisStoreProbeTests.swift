import Foundation
import NSRedis
import NSTestSupport
import Testing

/// The questions the queue's store check and `nsctl health` ask Redis, against a real redis-server.
@Suite("Redis store probe")
struct RedisStoreProbeTests {
    @Test("a writable Redis takes the probe (which expires) and reports used memory and its maxmemory")
    func writableWithLimit() async throws {
        let redis = try await RedisServer()
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1))
        try await client.probeWrites(key: "{t}:store-probe", value: 42)
        #expect(try await client.command(["GET", "{t}:store-probe"]).string == "42")
        let ttl = try #require(try await client.command(["PTTL", "{t}:store-probe"]).int)
        #expect(ttl > 0 && ttl <= 60_000)
        #expect(try await client.memoryUsage().limitBytes == nil, "no maxmemory set")
        _ = try await client.command(["CONFIG", "SET", "maxmemory", "64mb"])
        let usage = try await client.memoryUsage()
        #expect(usage.usedBytes > 0 && usage.limitBytes == 64 << 20)
        await client.shutdown()
        await redis.stop()
    }

    @Test("a replica refuses the probe as READONLY, in the words an operator reads")
    func readOnlyReplica() async throws {
        let redis = try await RedisServer()
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1))
        _ = try await client.command(["REPLICAOF", "127.0.0.1", RedisArgument(Int64(try Tools.freePort()))])
        await #expect {
            try await client.probeWrites(key: "{t}:store-probe", value: 1)
        } throws: { error in
            guard case .refusesWrites(let message) = error as? RedisStoreError else { return false }
            return message.hasPrefix("READONLY") && "\(error)".hasPrefix("Redis refuses writes: READONLY")
        }
        await client.shutdown()
        await redis.stop()
    }

    @Test("INFO fields skip section headers and keep everything after the first colon")
    func infoFields() {
        let fields = RedisClient.infoFields("# Memory\r\nused_memory:1024\r\nmaxmemory_policy:noeviction\r\nexecutable:/usr/bin/redis-server\r\n")
        #expect(fields == ["used_memory": "1024", "maxmemory_policy": "noeviction", "executable": "/usr/bin/redis-server"])
    }
}
