import Foundation

/// A real `redis-server` on a free loopback port, without persistence, for the test that starts it.
public final class RedisServer: Sendable {
    public let port: Int
    public let password: String?
    let child: ChildProcess

    /// Starts a server on a free port. The port is chosen before redis binds it, so another test
    /// may take it in between; a server that exits at start is retried on another port.
    /// `appendOnlyDirectory` turns on AOF in that folder (reuse it to restart a server with its
    /// data), with an fsync per write unless `appendFsync` says otherwise (`everysec`).
    /// `settings` are passed on as they are (`--maxmemory 8mb`, `--enable-debug-command local`).
    public init(password: String? = nil, port fixedPort: Int? = nil, appendOnlyDirectory: String? = nil, appendFsync: String = "always",
                settings: [String] = []) async throws {
        var lastError: (any Error)?
        for _ in 0..<(fixedPort == nil ? 5 : 1) {
            let port = try fixedPort ?? Tools.freePort()
            var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", ""]
            if let appendOnlyDirectory {
                arguments += ["--appendonly", "yes", "--appendfsync", appendFsync, "--dir", appendOnlyDirectory]
            } else {
                arguments += ["--appendonly", "no"]
            }
            if let password { arguments += ["--requirepass", password] }
            arguments += settings
            let child = try ChildProcess(executable: try Tools.which("redis-server"), arguments: arguments, environment: [:])
            do {
                try await child.waitForOutput(timeout: .seconds(10)) { lines in lines.contains { $0.contains("Ready to accept connections") } }
                self.child = child
                self.port = port
                self.password = password
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChildProcessError.notFound("a port redis-server could bind")
    }

    public var url: String {
        if let password { return "redis://:\(password)@127.0.0.1:\(port)/0" }
        return "redis://127.0.0.1:\(port)/0"
    }

    public func stop() async {
        child.signal(SIGTERM)
        _ = await child.waitForExit(timeout: .seconds(10))
    }
}
