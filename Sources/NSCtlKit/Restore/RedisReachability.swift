import Foundation
import NSRedis

/// Whether a Redis answers PING, for refusing to restore `redis-data` under a live server.
enum RedisReachability {
    static func answers(_ url: URL) async -> Bool {
        guard let configuration = try? RedisConfiguration(url: url, poolSize: 1, connectTimeout: .seconds(1), commandTimeout: .seconds(2)) else {
            return false
        }
        let client = RedisClient(configuration: configuration)
        let reply = try? await client.command(["PING"])
        await client.shutdown()
        return reply != nil
    }
}
