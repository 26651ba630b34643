import Foundation
import NSCore

/// Where and how to reach Redis, from a `redis://[user:password@]host[:port][/db]` URL.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// Connections kept open; commands are spread over them round-robin.
    public var poolSize: Int
    public var connectTimeout: Duration
    public var commandTimeout: Duration
    /// Delay before retrying a failed connection, doubling up to ``maxReconnectDelay``; calls in
    /// between fail at once instead of waiting.
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration

    // MARK: Sentinel (REDIS_SENTINELS; see RedisConfiguration+Sentinel.swift)

    /// When set, the master is found through these sentinels and ``host``/``port`` are not used;
    /// the credentials and database above still apply to the master.
    public var sentinel: RedisSentinelSettings?

    // MARK: -

    public init(url: URL, poolSize: Int = 4, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5),
                reconnectDelay: Duration = .milliseconds(100), maxReconnectDelay: Duration = .seconds(5)) throws(RedisError) {
        guard let scheme = url.scheme?.lowercased(), scheme == "redis", let host = url.host, !host.isEmpty else {
            throw .connection("the URL must look like redis://[user:password@]host:6379/0 (rediss:// is not supported)")
        }
        let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else { throw .connection("the database in the URL path must be a number") }
        self.host = host
        self.port = url.port ?? 6379
        self.username = url.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        self.password = url.password?.removingPercentEncoding
        self.database = Int(path) ?? 0
        self.poolSize = max(1, poolSize)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
    }

    /// The commands a new connection sends before any other: AUTH, then SELECT.
    var handshake: [[RedisArgument]] {
        var commands: [[RedisArgument]] = []
        if let password {
            commands.append(username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)])
        }
        if database != 0 { commands.append(["SELECT", RedisArgument(Int64(database))]) }
        return commands
    }
}
