import Logging
import NSQueue
import NSRedis
import Synchronization

/// Fixed-window counters in Redis, so every gateway sharing it enforces one limit.
///
/// One Lua script increments the key and sets its expiry on the first hit, atomically. While Redis
/// cannot be reached the limiter counts locally instead (each instance then enforces the limit on
/// its own), and says so in the log at most once a minute: refusing all traffic because the
/// limiter's store is down would turn a Redis outage into a gateway outage.
public final class RedisRateLimiter: RateLimiter {
    static let script: RedisScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {count, ttl}
        """

    private let client: RedisClient
    private let fallback: LocalRateLimiter
    private let keyPrefix: String
    private let logger: Logger
    /// A Redis that stops answering fails every request: logged once a minute.
    private let warnings = Mutex(LogThrottle(interval: .seconds(60)))

    public init(client: RedisClient, limit: Int, window: Duration, keyPrefix: String = "ns:ratelimit:", logger: Logger) {
        self.client = client
        self.fallback = LocalRateLimiter(limit: limit, window: window)
        self.keyPrefix = keyPrefix
        self.logger = logger
    }

    public func hit(_ key: String) async -> RateLimitDecision {
        do {
            let reply = try await client.eval(Self.script, keys: [keyPrefix + key], arguments: [RedisArgument(fallback.windowMs)])
            if let values = reply.array, values.count == 2, let count = values[0].int, let ttl = values[1].int {
                return RateLimitDecision(limit: fallback.limit, count: Int(count), resetSeconds: Int((ttl + 999) / 1000))
            }
            warn("unexpected reply from the rate-limit script")
        } catch {
            warn("\(error)")
        }
        return fallback.hitNow(key)
    }

    private func warn(_ reason: String) {
        guard let suppressed = warnings.withLock({ $0.admit(at: .now) }) else { return }
        var metadata: Logger.Metadata = ["reason": .string(reason)]
        if suppressed > 0 { metadata["suppressed"] = .stringConvertible(suppressed) }
        logger.warning("rate limiting locally: Redis is unavailable", metadata: metadata)
    }
}
