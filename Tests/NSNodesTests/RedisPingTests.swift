import Foundation
import NSNodes
import NSTestSupport
import Testing

@Suite("Redis health probe against a real redis-server")
struct RedisPingTests {
    @Test("PING answers PONG")
    func pong() async throws {
        let redis = try await RedisServer()
        try await RedisPing(url: URL(string: redis.url)!).check().probe("t")
        await redis.stop()
    }

    @Test("AUTH with the URL's password, and a wrong password fails without echoing it")
    func authentication() async throws {
        let redis = try await RedisServer(password: "correct-horse")
        try await RedisPing(url: URL(string: redis.url)!).check().probe("t")
        let wrong = URL(string: "redis://:battery-staple@127.0.0.1:\(redis.port)/0")!
        await #expect {
            try await RedisPing(url: wrong).check().probe("t")
        } throws: { error in
            let reason = (error as? DependencyFailure)?.reason ?? ""
            return reason == "authentication failed" && !reason.contains("battery")
        }
        await redis.stop()
    }

    @Test("a stopped server is reported as refused")
    func refused() async throws {
        let port = try Tools.freePort()
        await #expect {
            try await RedisPing(url: URL(string: "redis://127.0.0.1:\(port)")!).check().probe("t")
        } throws: { error in
            (error as? DependencyFailure)?.reason == "connection refused"
        }
    }
}
