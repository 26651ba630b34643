/// `REDIS_MIN_REPLICAS` and `REDIS_WAIT_TIMEOUT_MS`: how many Redis replicas must hold a queue
/// write before it is reported (an enqueue answered 202, a completion, a dead letter, a DLQ
/// retry), and how long to wait for them. What this guarantees, and what it does not, is in
/// `docs/queue.md` ("Acknowledged means replicated").
public struct RedisReplicationSettings: Sendable, Equatable {
    /// Replicas that must confirm (Redis `WAIT`); 0 sends no `WAIT`, as before the setting existed.
    public var minReplicas: Int
    /// The `WAIT` timeout: past it, a write fewer replicas confirmed is reported as failed (the
    /// gateway answers 503 with Retry-After). The Redis client's command deadline must exceed it.
    public var waitTimeout: Duration

    /// One second: a healthy replica on the same network confirms within milliseconds; a client
    /// whose replica is gone learns it within a second, well inside an HTTP client's timeout.
    public static let defaultWaitTimeoutMs = 1_000
    /// Ten seconds: a submission held longer than that is worse than a 503 its client retries.
    public static let maxWaitTimeoutMs = 10_000

    public init(minReplicas: Int = 0, waitTimeout: Duration = .milliseconds(defaultWaitTimeoutMs)) {
        self.minReplicas = minReplicas
        self.waitTimeout = waitTimeout
    }

    /// Whether writes wait for replicas at all.
    public var isRequired: Bool { minReplicas > 0 }

    static func load(source: ConfigurationSource) throws(ConfigurationError) -> RedisReplicationSettings {
        RedisReplicationSettings(
            minReplicas: try source.integer(["REDIS_MIN_REPLICAS"], default: 0, range: 0...100),
            waitTimeout: try source.milliseconds("REDIS_WAIT_TIMEOUT_MS", default: defaultWaitTimeoutMs, range: 1...maxWaitTimeoutMs))
    }
}
