import Foundation
import NSCore
import NSRedis
import NSTestSupport
import Testing

@Suite("Sentinel discovery against real redis-server and redis-sentinel processes", .serialized)
struct RedisSentinelTests {
    static let sentinelPassword = "sentinel pass 8f3a"

    static func client(_ sentinels: [RedisAddress], password: String? = sentinelPassword, pool: Int = 1) throws -> RedisClient {
        let settings = RedisSentinelSettings(sentinels: sentinels, password: password.map { Secret($0) })
        return RedisClient(configuration: try RedisConfiguration(sentinel: settings, credentials: nil, poolSize: pool, connectTimeout: .seconds(1),
                                                                 commandTimeout: .seconds(5), reconnectDelay: .milliseconds(50)))
    }

    static func addresses(_ set: RedisFailoverSet) -> [RedisAddress] {
        set.sentinels.map { RedisAddress(host: "127.0.0.1", port: $0.port) }
    }

    static func direct(_ server: RedisServer) throws -> RedisClient {
        RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!, poolSize: 1))  // built from a port number
    }

    @Test("the client finds the master through the sentinels, skipping a first sentinel that is down; a wrong sentinel password names no secret")
    func discovery() async throws {
        let set = try await RedisFailoverSet(sentinelPassword: Self.sentinelPassword)
        let down = RedisAddress(host: "127.0.0.1", port: try Tools.freePort())
        let client = try Self.client([down] + Self.addresses(set))
        #expect(try await client.command(["SET", "found", "yes"]).string == "OK")
        #expect(await client.currentMaster == RedisAddress(host: "127.0.0.1", port: set.master.port))
        #expect(try await Self.direct(set.master).command(["GET", "found"]).string == "yes", "the write went to the master")

        let wrong = try Self.client(Self.addresses(set), password: "not the password")
        do {
            _ = try await wrong.command(["PING"])
            Issue.record("a wrong sentinel password was accepted")
        } catch {
            #expect(error.description.contains("no sentinel named a usable master 'mymaster'"), "\(error)")
            #expect(error.description.contains("authentication failed"), "\(error)")
            #expect(!error.description.contains("not the password"))
        }
        let nobody = try Self.client([down])
        await #expect(throws: RedisError.self) { _ = try await nobody.command(["PING"]) }
        for each in [client, wrong, nobody] { await each.shutdown() }
        await set.stop()
    }

    @Test("a master demoted under an open connection answers READONLY: the client asks the sentinels again and sends the refused write to the new master")
    func demotedMaster() async throws {
        let set = try await RedisFailoverSet(sentinelPassword: Self.sentinelPassword)
        let replica = try #require(set.replica)
        let client = try Self.client(Self.addresses(set))
        #expect(try await client.command(["SET", "before", "1"]).string == "OK")
        #expect(await client.currentMaster?.port == set.master.port)
        // Promote the replica by hand and point the sentinels at it, without touching the client's connection.
        let promoted = try Self.direct(replica)
        _ = try await promoted.command(["REPLICAOF", "NO", "ONE"])
        for sentinel in set.sentinels {
            let encoded = Self.sentinelPassword.replacingOccurrences(of: " ", with: "%20")
            let admin = RedisClient(configuration: try RedisConfiguration(url: URL(string: "redis://:\(encoded)@127.0.0.1:\(sentinel.port)")!, poolSize: 1))  // built from a port number
            _ = try await admin.command(["SENTINEL", "REMOVE", "mymaster"])
            _ = try await admin.command(["SENTINEL", "MONITOR", "mymaster", "127.0.0.1", RedisArgument(Int64(replica.port)), "2"])
            await admin.shutdown()
        }
        let demoted = try Self.direct(set.master)
        _ = try await demoted.command(["REPLICAOF", "127.0.0.1", RedisArgument(Int64(replica.port))])
        await #expect(throws: RedisError.self, "the demoted master refuses writes") { _ = try await demoted.command(["SET", "probe", "x"]) }
        #expect(try await client.command(["SET", "after", "2"]).string == "OK", "the READONLY refusal was followed, not surfaced")
        #expect(await client.currentMaster?.port == replica.port)
        #expect(try await promoted.command(["GET", "after"]).string == "2")
        for each in [client, promoted, demoted] { await each.shutdown() }
        await set.stop()
    }
}
