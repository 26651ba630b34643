import Foundation
import NSRedis
import NSTestSupport
import Testing

@Suite("RESP client against a real redis-server")
struct RedisClientTests {
    /// The deadline only guards against hangs; 30 s keeps a loaded CI machine from tripping it.
    func client(_ url: String, timeout: Duration = .seconds(30), pool: Int = 2) throws -> RedisClient {
        RedisClient(configuration: try RedisConfiguration(url: URL(string: url)!, poolSize: pool, commandTimeout: timeout,
                                                          reconnectDelay: .milliseconds(50), maxReconnectDelay: .milliseconds(200)))
    }

    @Test("binary-safe values round-trip, with AUTH and the database from the URL")
    func roundTripAuthAndDatabase() async throws {
        let redis = try await RedisServer(password: "s3cret pass")
        let db3 = try client("redis://:s3cret%20pass@127.0.0.1:\(redis.port)/3")
        let value: [UInt8] = [0, 13, 10, 255, 36, 42] + Array("tail".utf8)
        #expect(try await db3.command(["SET", "k", RedisArgument(value)]).string == "OK")
        #expect(try await db3.command(["GET", "k"]) == .bulkString(value))
        let db0 = try client("redis://:s3cret%20pass@127.0.0.1:\(redis.port)/0")
        #expect(try await db0.command(["GET", "k"]).isNull, "the key lives in database 3 only")
        await #expect(throws: RedisError.server("authentication failed")) {
            _ = try await client("redis://:wrong@127.0.0.1:\(redis.port)").command(["PING"])
        }
        await db3.shutdown()
        await db0.shutdown()
        await redis.stop()
    }

    @Test("pipelined replies come back in order")
    func pipelining() async throws {
        let redis = try await RedisServer()
        let client = try client(redis.url)
        let replies = try await client.pipeline((0..<1_000).map { _ in ["INCR", "counter"] })
        #expect(replies.map(\.int) == (1...1_000).map { Int64($0) })
        let concurrent = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<200 { group.addTask { try await client.command(["INCR", "other"]).int ?? -1 } }
            var values: [Int64] = []
            for try await value in group { values.append(value) }
            return values
        }
        #expect(Set(concurrent) == Set(1...200))
        await client.shutdown()
        await redis.stop()
    }

    @Test("scripts run by EVALSHA, falling back to EVAL after SCRIPT FLUSH")
    func scripts() async throws {
        let redis = try await RedisServer()
        let client = try client(redis.url)
        let script: RedisScript = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
        #expect(try await client.command(["SCRIPT", "LOAD", RedisArgument(script.source)]).string == script.sha1)
        #expect(try await client.eval(script, keys: ["{ns}:n"], arguments: [5]).int == 5)
        #expect(try await client.eval(script, keys: ["{ns}:n"], arguments: [2]).int == 7)
        _ = try await client.command(["SCRIPT", "FLUSH"])
        #expect(try await client.eval(script, keys: ["{ns}:n"], arguments: [1]).int == 8)
        await #expect(throws: RedisError.self) { _ = try await client.eval("return redis.call('NOPE')", keys: [], arguments: []) }
        await client.shutdown()
        await redis.stop()
    }

    @Test("a command without an answer times out and the client stays usable")
    func commandTimeout() async throws {
        let redis = try await RedisServer()
        // The server would answer after 120 s; the 2 s deadline must end the call long before.
        // The bound is far from both numbers so a loaded machine cannot make the test flaky.
        let client = try client(redis.url, timeout: .seconds(2), pool: 1)
        let start = ContinuousClock.now
        await #expect(throws: RedisError.timeout) { _ = try await client.command(["BLPOP", "empty-list", "120"]) }
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(try await client.command(["PING"]).string == "PONG")
        await client.shutdown()
        await redis.stop()
    }

    @Test("an outage fails calls fast with a clear error, and the client reconnects when Redis is back")
    func reconnect() async throws {
        let redis = try await RedisServer()
        let port = redis.port
        // A hang would last the 120 s deadline; failing fast means well under it.
        let client = try client(redis.url, timeout: .seconds(120), pool: 1)
        #expect(try await client.command(["SET", "k", "v"]).string == "OK")
        await redis.stop()
        let start = ContinuousClock.now
        await #expect {
            _ = try await client.command(["GET", "k"])
        } throws: { error in
            if case .connection = error as? RedisError { return true }
            return false
        }
        #expect(ContinuousClock.now - start < .seconds(30), "an outage must not hang callers")
        let restarted = try await RedisServer(port: port)
        var answered = false
        for _ in 0..<50 where !answered {
            answered = (try? await client.command(["PING"]))?.string == "PONG"
            if !answered { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answered)
        await client.shutdown()
        await restarted.stop()
    }
}
