import Foundation
import NSCore
import NSRedis

/// Whether a Redis answers PING, for refusing to restore `redis-data` under a live server.
enum RedisReachability {
    /// Throws a configuration failure (exit 78) when `url` cannot name a Redis: the restore must
    /// not go ahead on the assumption that a server it cannot even address is stopped.
    static func answers(_ url: URL) async throws(CommandFailure) -> Bool {
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: url, poolSize: 1, connectTimeout: .seconds(1), commandTimeout: .seconds(2))
        } catch {
            throw refusal("REDIS_URL cannot be used (\(error)); set it to the Redis that owns redis-data, as redis://host:6379/0")
        }
        let client = RedisClient(configuration: configuration)
        let answered: Bool
        do {
            _ = try await client.command(["PING"])
            answered = true
        } catch RedisError.server {
            answered = true  // an error reply (a refused password) still comes from a running server
        } catch {
            answered = false  // no connection or no answer in time: nothing is serving that address
        }
        await client.shutdown()
        return answered
    }

    /// Why the restore cannot check that Redis is stopped, with the fix, as a configuration failure.
    static func refusal(_ reason: String) -> CommandFailure {
        .configuration("cannot check that Redis is stopped, so redis-data is not restored: \(reason)")
    }
}
