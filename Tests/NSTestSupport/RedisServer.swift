import Foundation

/// A real `redis-server` on a free loopback port, without persistence, for the test that starts it.
public final class RedisServer: Sendable {
    public let port: Int
    public let password: String?
    private let child: ChildProcess

    public init(password: String? = nil) async throws {
        let port = try Tools.freePort()
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if let password { arguments += ["--requirepass", password] }
        child = try ChildProcess(executable: try Tools.which("redis-server"), arguments: arguments, environment: [:])
        self.port = port
        self.password = password
        try await child.waitForOutput(timeout: .seconds(10)) { lines in lines.contains { $0.contains("Ready to accept connections") } }
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
