import Foundation
import NSQueue

/// The Redis liveness probe for `/health`: `PING` through the queue's own ``RedisClient`` (one
/// connection, kept between probes, authenticated from the URL). Failure reasons never include
/// the URL, which may hold a password.
public struct RedisPing: Sendable {
    private let client: Result<RedisClient, RedisError>

    public init(url: URL) {
        client = Result { () throws(RedisError) -> RedisClient in
            RedisClient(configuration: try RedisConfiguration(url: url, poolSize: 1, connectTimeout: .seconds(2), commandTimeout: .seconds(2),
                                                              reconnectDelay: .milliseconds(100), maxReconnectDelay: .seconds(1)))
        }
    }

    public func check() -> DependencyCheck {
        DependencyCheck(name: "redis") { _ in try await ping() }
    }

    func ping() async throws {
        let reply: RESPValue
        do throws(RedisError) {
            reply = try await client.get().command(["PING"])
        } catch {
            switch error {
            case .connection(let reason): throw DependencyFailure(reason)
            case .server(let message): throw DependencyFailure(message == "authentication failed" ? message : "error reply")
            case .timeout: throw DependencyFailure("timed out")
            case .protocolViolation: throw DependencyFailure("invalid reply")
            }
        }
        guard reply.string == "PONG" else { throw DependencyFailure("unexpected reply to PING") }
    }
}
