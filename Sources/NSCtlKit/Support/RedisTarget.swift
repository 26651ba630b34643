import Foundation
import NSCore
import NSRedis

/// The Redis nsctl talks to, read as nsd reads it: `REDIS_SENTINELS` (the master found through
/// Sentinel, `REDIS_URL` supplying its credentials) or `REDIS_URL` alone.
struct RedisTarget {
    let url: URL?
    let sentinel: RedisSentinelSettings?

    /// `nil` when neither variable is set. A malformed value is a ``CommandFailure`` naming it.
    static func load(source: ConfigurationSource) throws(CommandFailure) -> RedisTarget? {
        do throws(ConfigurationError) {
            let url = try source.url("REDIS_URL", schemes: ["redis", "rediss"])
            let sentinel = try RedisSentinelSettings.load(source: source)
            guard url != nil || sentinel != nil else { return nil }
            return RedisTarget(url: url, sentinel: sentinel)
        } catch {
            throw .configuration(error.description)
        }
    }

    /// The variable an operator reads in a message about this Redis.
    var variable: String { sentinel == nil ? "REDIS_URL" : "REDIS_SENTINELS" }

    func configuration(poolSize: Int, connectTimeout: Duration = .seconds(2), commandTimeout: Duration) throws(CommandFailure) -> RedisConfiguration {
        do throws(RedisError) {
            // load() returns a target only when one of the two is set.
            return try RedisConfiguration(url: url, sentinel: sentinel, poolSize: poolSize, connectTimeout: connectTimeout, commandTimeout: commandTimeout)!
        } catch {
            throw CommandFailure("REDIS_URL: \(error)")
        }
    }
}
