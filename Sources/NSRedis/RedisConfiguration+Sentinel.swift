import Foundation
import NSCore

/// A configuration whose master is found through Redis Sentinel.
extension RedisConfiguration {
    /// `credentials` (`REDIS_URL`, optional) gives the master's user, password and database; its
    /// host and port are not used.
    public init(sentinel: RedisSentinelSettings, credentials: URL?, poolSize: Int = 4, connectTimeout: Duration = .seconds(2),
                commandTimeout: Duration = .seconds(5), reconnectDelay: Duration = .milliseconds(100),
                maxReconnectDelay: Duration = .seconds(5)) throws(RedisError) {
        // A literal URL with a host, which the URL initialiser accepts.
        try self.init(url: credentials ?? URL(string: "redis://sentinel-managed")!, poolSize: poolSize, connectTimeout: connectTimeout,
                      commandTimeout: commandTimeout, reconnectDelay: reconnectDelay, maxReconnectDelay: maxReconnectDelay)
        self.sentinel = sentinel
    }

    /// `REDIS_SENTINELS` when set, else `REDIS_URL`; `nil` when neither is (the queue is in SQLite).
    public init?(url: URL?, sentinel: RedisSentinelSettings?, poolSize: Int = 4, connectTimeout: Duration = .seconds(2),
                 commandTimeout: Duration = .seconds(5)) throws(RedisError) {
        if let sentinel {
            try self.init(sentinel: sentinel, credentials: url, poolSize: poolSize, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        } else if let url {
            try self.init(url: url, poolSize: poolSize, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        } else {
            return nil
        }
    }

    /// The one server of a `REDIS_URL` configuration.
    var fixedAddress: RedisAddress { RedisAddress(host: host, port: port) }

    /// What a sentinel connection sends first: AUTH with the sentinels' password, nothing else
    /// (sentinels have no databases).
    var sentinelHandshake: [[RedisArgument]] {
        guard let password = sentinel?.password else { return [] }
        return [["AUTH", RedisArgument(password.reveal())]]
    }

    /// Longest pause between two rounds of asking the sentinels after none named a usable master:
    /// a failover completes in seconds, and the client must notice soon after.
    var maxRediscoveryDelay: Duration { min(maxReconnectDelay, .seconds(1)) }
}
