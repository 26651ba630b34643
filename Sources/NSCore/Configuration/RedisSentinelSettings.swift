/// `REDIS_SENTINELS`, `REDIS_MASTER_NAME` and `REDIS_SENTINEL_PASSWORD` (or `_FILE`): find the
/// Redis master through Redis Sentinel instead of one fixed `REDIS_URL` server.
///
/// When both are set, Sentinel decides where the master is and `REDIS_URL` only supplies the
/// master's credentials and database (its user, password and `/db`); its host and port are not
/// used. nsd, `nsctl health` and `nsctl backup` read these the same way.
public struct RedisSentinelSettings: Sendable, Equatable {
    public static let defaultMasterName = "mymaster"
    public static let defaultPort = 26_379
    /// More than this is a misconfiguration (Sentinel deployments run 3 or 5); every one is asked in turn.
    public static let maxSentinels = 16

    public var sentinels: [RedisAddress]
    public var masterName: String
    /// The sentinels' `requirepass`; never printed (``Secret``).
    public var password: Secret?

    public init(sentinels: [RedisAddress], masterName: String = Self.defaultMasterName, password: Secret? = nil) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.password = password
    }

    /// The settings, or `nil` when `REDIS_SENTINELS` is unset. A malformed list, a master name
    /// with spaces, or a password without a list is a ``ConfigurationError`` naming the variable.
    public static func load(source: ConfigurationSource) throws(ConfigurationError) -> RedisSentinelSettings? {
        let password = try source.secret("REDIS_SENTINEL_PASSWORD")
        guard let list = source.string("REDIS_SENTINELS") else {
            for name in ["REDIS_MASTER_NAME", "REDIS_SENTINEL_PASSWORD"] where source.first(name, name + "_FILE") != nil {
                throw ConfigurationError(variable: name, problem: "is set without REDIS_SENTINELS", fix: "set REDIS_SENTINELS=host:26379,... or remove \(name)")
            }
            return nil
        }
        let masterName = source.string("REDIS_MASTER_NAME") ?? defaultMasterName
        guard !masterName.isEmpty, !masterName.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ConfigurationError(variable: "REDIS_MASTER_NAME", problem: "=\"\(masterName)\" is not a Sentinel master name",
                                     fix: "use the name of the sentinels' `sentinel monitor` line, without spaces (default \(defaultMasterName))")
        }
        return RedisSentinelSettings(sentinels: try parse(list), masterName: masterName, password: password)
    }

    /// `host:port,host:port,...` (`[v6]:port` for IPv6 literals; a missing port is 26379).
    public static func parse(_ list: String) throws(ConfigurationError) -> [RedisAddress] {
        let entries = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let fix = "list the sentinels as host:26379,host:26379,... (at most \(maxSentinels))"
        guard entries.count <= maxSentinels else {
            throw ConfigurationError(variable: "REDIS_SENTINELS", problem: "names \(entries.count) sentinels", fix: fix)
        }
        var addresses: [RedisAddress] = []
        for entry in entries {
            guard let address = address(entry) else {
                throw ConfigurationError(variable: "REDIS_SENTINELS", problem: "has \"\(entry)\", which is not host:port", fix: fix)
            }
            guard !addresses.contains(address) else {
                throw ConfigurationError(variable: "REDIS_SENTINELS", problem: "names \(address) twice", fix: fix)
            }
            addresses.append(address)
        }
        return addresses
    }

    private static func address(_ entry: String) -> RedisAddress? {
        var host = Substring(entry)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else { return nil }
        let port = portText.map { Int($0) } ?? defaultPort
        guard let port, (1...65_535).contains(port) else { return nil }
        return RedisAddress(host: String(host), port: port)
    }
}

/// A Redis server or sentinel: `host:port` (`[v6]:port` for IPv6 literals).
public struct RedisAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
