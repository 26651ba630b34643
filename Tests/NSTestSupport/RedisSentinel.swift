import Foundation

/// Real Redis Sentinel processes (`redis-server --sentinel` with a generated config file) on free
/// loopback ports, watching one master with a short `down-after-milliseconds`, so a test sees a
/// failover within seconds of killing the master.
public final class RedisSentinel: Sendable {
    public let port: Int
    /// The generated config file's folder (Sentinel rewrites the file as it learns).
    public let directory: String
    let child: ChildProcess

    public static let masterName = "mymaster"

    /// Starts `count` sentinels (quorum 2) watching the master on `masterPort`, and returns them
    /// once each has seen the master, every other sentinel and `replicas` replicas.
    /// `password` is the sentinels' own; `masterPassword` the master's and replicas'.
    public static func cluster(count: Int = 3, masterPort: Int, replicas: Int = 1, password: String? = nil,
                               masterPassword: String? = nil) async throws -> [RedisSentinel] {
        var sentinels: [RedisSentinel] = []
        for _ in 0..<count {
            sentinels.append(try await RedisSentinel(masterPort: masterPort, password: password, masterPassword: masterPassword))
        }
        for sentinel in sentinels {
            try await sentinel.child.waitForOutput(timeout: .seconds(30)) { lines in
                lines.filter { $0.contains("+sentinel sentinel") }.count >= count - 1
                    && lines.filter { $0.contains("+slave slave") }.count >= replicas
            }
        }
        return sentinels
    }

    /// `REDIS_SENTINELS` for these sentinels, in order.
    public static func list(_ sentinels: [RedisSentinel]) -> String {
        sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
    }

    public init(masterPort: Int, quorum: Int = 2, password: String? = nil, masterPassword: String? = nil) async throws {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try Tools.freePort()
            let directory = try Tools.temporaryDirectory("redis-sentinel")
            var lines = [
                "port \(port)", "bind 127.0.0.1", "daemonize no", "logfile \"\"", "dir \(directory)",
                "sentinel monitor \(Self.masterName) 127.0.0.1 \(masterPort) \(quorum)",
                "sentinel down-after-milliseconds \(Self.masterName) 1000",
                "sentinel failover-timeout \(Self.masterName) 3000",
                "sentinel parallel-syncs \(Self.masterName) 1",
            ]
            // Quoted: a test password may hold spaces (none holds a quote).
            if let masterPassword { lines.append("sentinel auth-pass \(Self.masterName) \"\(masterPassword)\"") }
            if let password { lines += ["requirepass \"\(password)\"", "sentinel sentinel-pass \"\(password)\""] }
            let file = directory + "/sentinel.conf"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let child = try ChildProcess(executable: try Tools.which("redis-server"), arguments: [file, "--sentinel"], environment: [:])
            do {
                try await child.waitForOutput(timeout: .seconds(10)) { lines in lines.contains { $0.contains("+monitor master") } }
                self.port = port
                self.directory = directory
                self.child = child
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChildProcessError.notFound("a port redis-sentinel could bind")
    }

    /// Everything this sentinel logged (`+switch-master`, `+odown`, ...).
    public var log: String { child.stdout }

    public func stop() async {
        child.signal(SIGTERM)
        _ = await child.waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: directory)  // a leftover temporary folder harms nothing
    }
}
