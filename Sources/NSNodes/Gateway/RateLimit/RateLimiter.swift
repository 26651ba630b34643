/// The outcome of counting one request against a client's window.
public struct RateLimitDecision: Sendable, Equatable {
    public let limit: Int
    public let remaining: Int
    /// Seconds until the window resets (at least 1 while requests are counted).
    public let resetSeconds: Int
    public let allowed: Bool

    public init(limit: Int, count: Int, resetSeconds: Int) {
        self.limit = limit
        self.remaining = max(0, limit - count)
        self.resetSeconds = max(1, resetSeconds)
        self.allowed = count <= limit
    }
}

/// Counts requests per key (`ip:…`, `sub:…`) in fixed windows of `RATE_LIMIT_WINDOW_MS`,
/// allowing `RATE_LIMIT_MAX_REQUESTS` per window.
///
/// A fixed window lets a client send up to twice the limit across a window boundary; in return
/// one counter per key is all it costs, locally or in Redis, and every instance sharing Redis
/// sees the same counts.
public protocol RateLimiter: Sendable {
    func hit(_ key: String) async -> RateLimitDecision
}
