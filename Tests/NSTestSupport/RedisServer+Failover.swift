import Foundation

/// What Sentinel tests do to servers: start a replica, wait for its sync, kill without warning.
extension RedisServer {
    /// A replica of `master` (`--replicaof`), returned once its first sync has finished, so a
    /// sentinel started afterwards sees it at once. Its folder (`--dir`, where a replica keeps the
    /// snapshot it receives) is a fresh temporary one, never the test's working directory.
    public static func replica(of master: RedisServer) async throws -> RedisServer {
        var settings = ["--replicaof", "127.0.0.1", String(master.port), "--dir", try Tools.temporaryDirectory("redis-replica")]
        if let password = master.password { settings += ["--masterauth", password] }
        let replica = try await RedisServer(password: master.password, settings: settings)
        try await replica.child.waitForOutput(timeout: .seconds(20)) { lines in lines.contains { $0.contains("sync: Finished with success") || $0.contains("Master accepted a Partial Resynchronization") } }
        return replica
    }

    /// SIGKILL, as a crash or a lost host: no shutdown, no final save.
    public func kill9() async {
        child.signal(SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(10))
    }

    /// Whether the process still runs.
    public var isRunning: Bool { child.isRunning }
}
