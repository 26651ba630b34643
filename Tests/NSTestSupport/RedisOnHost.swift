import Foundation
import Synchronization

/// A real `redis-server`, or `redis-server --sentinel`, inside a `NetworkTopology` host,
/// listening on the host's address (not loopback), without persistence unless `settings` ask.
///
/// It runs from a configuration file in its own temporary folder (mode 0600: passwords go there,
/// never on a command line), which Sentinel also rewrites as it learns the topology; `start()`
/// after `kill9()` reuses it, as a restarted server would. The folder is removed by `stop()` or
/// when the value is released; the topology's teardown kills a process left behind.
public final class RedisOnHost: Sendable {
    public let host: NetworkHost
    public let port: Int
    public let isSentinel: Bool
    /// The password clients must send (`requirepass`), if any.
    public let password: String?
    public let folder: String
    private let running: Mutex<ChildProcess?>

    public static let serverPort = 6379
    public static let sentinelPort = 26379

    /// A data server. `password` sets `requirepass` and `masterauth` (so it can replicate from a
    /// server with the same password); `settings` are configuration lines as they are
    /// (`"replicaof 10.250.7.10 6379"`, `"min-replicas-to-write 1"`).
    public static func server(on host: NetworkHost, password: String? = nil, settings: [String] = []) async throws -> RedisOnHost {
        var lines = ["save \"\"", "appendonly no"]
        if let password { lines += ["requirepass \(password)", "masterauth \(password)"] }
        return try await RedisOnHost(host: host, port: serverPort, sentinel: false, password: password, lines: lines + settings)
    }

    /// A sentinel watching the master at `master`:`masterPort` under `name`, with `quorum`
    /// sentinels needed to agree it is down and fast timings for tests (down after
    /// `downAfterMilliseconds`, a failover retried after `failoverTimeoutMilliseconds`).
    /// `masterPassword` is what the sentinel sends to the data servers; `password` is the
    /// sentinel's own (`requirepass`, for REDIS_SENTINEL_PASSWORD).
    public static func sentinel(on host: NetworkHost, monitoring master: String, masterPort: Int = serverPort, name: String, quorum: Int,
                                downAfterMilliseconds: Int = 1_000, failoverTimeoutMilliseconds: Int = 6_000,
                                masterPassword: String? = nil, password: String? = nil) async throws -> RedisOnHost {
        var lines = [
            "sentinel monitor \(name) \(master) \(masterPort) \(quorum)",
            "sentinel down-after-milliseconds \(name) \(downAfterMilliseconds)",
            "sentinel failover-timeout \(name) \(failoverTimeoutMilliseconds)",
            "sentinel parallel-syncs \(name) 1",
        ]
        if let masterPassword { lines.append("sentinel auth-pass \(name) \(masterPassword)") }
        if let password { lines.append("requirepass \(password)") }
        return try await RedisOnHost(host: host, port: sentinelPort, sentinel: true, password: password, lines: lines)
    }

    private init(host: NetworkHost, port: Int, sentinel: Bool, password: String?, lines: [String]) async throws {
        let folder = try Tools.closedDirectory(sentinel ? "sentinel" : "redis")
        let common = ["port \(port)", "bind \(host.address)", "protected-mode no", "dir \(folder)", "logfile \"\"", "daemonize no"]
        let configuration = (common + lines).joined(separator: "\n") + "\n"
        guard FileManager.default.createFile(atPath: folder + "/redis.conf", contents: Data(configuration.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ChildProcessError.notFound("a writable \(folder)/redis.conf")
        }
        self.host = host
        self.port = port
        isSentinel = sentinel
        self.password = password
        self.folder = folder
        running = Mutex(nil)
        try await start()
    }

    /// `host:port`, as Sentinel and clients name it.
    public var endpoint: String { "\(host.address):\(port)" }

    /// Starts the process (again, after `kill9()`) and waits until it answers PING.
    public func start() async throws {
        guard running.withLock({ $0 == nil }) else { return }
        let child = try host.spawn(try Tools.which("redis-server"), [folder + "/redis.conf"] + (isSentinel ? ["--sentinel"] : []), environment: [:])
        running.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(15)
        while (try? cli(["PING"])) != "PONG" {  // not up yet: asked again until the deadline
            guard child.isRunning, ContinuousClock.now < deadline else {
                throw ChildProcessError.timedOut(stdout: child.stdout, stderr: child.stderr)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// kill -9, as a crash would.
    public func kill9() async {
        guard let child = running.withLock({ current in defer { current = nil }; return current }) else { return }
        child.signal(SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(10))
    }

    /// Stops the process and removes its folder.
    public func stop() async {
        if let child = running.withLock({ current in defer { current = nil }; return current }) {
            child.signal(SIGTERM)
            _ = await child.waitForExit(timeout: .seconds(10))
        }
        try? FileManager.default.removeItem(atPath: folder)  // already gone: nothing left to remove
    }

    /// What the process wrote so far (Redis logs to stdout here).
    public var log: String { running.withLock { $0?.stdout ?? "" } }

    /// Runs `redis-cli` with `arguments` against this server from `client` (default: its own
    /// host), raw output (one line per reply element) without the final newline. An error reply
    /// or a failure to connect throws `RedisCommandError` with redis-cli's output.
    @discardableResult
    public func cli(_ arguments: [String], from client: NetworkHost? = nil, timeout: Int = 5) throws -> String {
        let command = ["-h", host.address, "-p", String(port), "--no-auth-warning", "-e"] + arguments
        let result = try (client ?? host).run(try Tools.which("redis-cli"), command, environment: cliEnvironment, timeout: timeout)
        let output = result.output.hasSuffix("\n") ? String(result.output.dropLast()) : result.output
        guard result.status == 0 else { throw RedisCommandError(command: arguments.joined(separator: " "), status: result.status, output: output) }
        return output
    }

    /// redis-cli's environment: the password goes there, never on its command line.
    private var cliEnvironment: [String: String] { password.map { ["REDISCLI_AUTH": $0] } ?? [:] }

    /// Sends `commands` over one connection (redis-cli reading stdin), so that a `WAIT` counts
    /// the writes before it, and returns one reply line per command (an error reply as its
    /// text, e.g. `NOREPLICAS Not enough good replicas to write.`; a nil reply an empty line). Arguments must not contain
    /// spaces or quotes. A failure to connect throws.
    public func pipeline(_ commands: [[String]], from client: NetworkHost? = nil, timeout: Int = 5) throws -> [String] {
        let input = commands.map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n"
        // --no-raw: one line per reply (raw output adds a blank line after an error), marked
        // `(error) `, `(integer) `, `(nil)` or quoted, which is taken off here.
        let result = try (client ?? host).run(try Tools.which("redis-cli"), ["-h", host.address, "-p", String(port), "--no-auth-warning", "--no-raw"],
                                              environment: cliEnvironment, input: input, timeout: timeout)
        // redis-cli also reports a slow command's time on a line of its own: `(0.53s)`.
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(result.output.hasSuffix("\n") ? 1 : 0)
            .filter { !($0.hasPrefix("(") && $0.hasSuffix("s)") && Double($0.dropFirst().dropLast(2)) != nil) }.map { line in
            if line == "(nil)" { return "" }
            if let marker = ["(error) ", "(integer) "].first(where: line.hasPrefix) { return String(line.dropFirst(marker.count)) }
            return line.count >= 2 && line.hasPrefix("\"") && line.hasSuffix("\"") ? String(line.dropFirst().dropLast()) : String(line)
        }
        guard result.status == 0, lines.count == commands.count else {
            throw RedisCommandError(command: commands.map { $0.joined(separator: " ") }.joined(separator: "; "), status: result.status, output: result.output)
        }
        return lines
    }

    /// One field of `INFO section` (`role`, `master_host`, `master_link_status`), if present.
    public func info(_ field: String, section: String = "replication") throws -> String? {
        try cli(["INFO", section]).split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix(field + ":") }
            .map { String($0.dropFirst(field.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    deinit {
        running.withLock { $0?.signal(SIGKILL) }
        try? FileManager.default.removeItem(atPath: folder)  // already gone: nothing left to remove
    }
}

/// A command `redis-cli` could not run: an error reply (`-e` makes it exit non-zero), a refused
/// or timed-out connection (status 124).
public struct RedisCommandError: Error, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let output: String

    public var description: String { "redis-cli \(command) exited with \(status): \(output)" }
}
