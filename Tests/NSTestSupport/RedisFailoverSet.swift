/// A Redis master, optionally one replica, and three sentinels watching them: the smallest
/// deployment that fails over on its own, for tests that kill or demote its master.
public final class RedisFailoverSet: Sendable {
    public let master: RedisServer
    public let replica: RedisServer?
    public let sentinels: [RedisSentinel]

    public init(withReplica: Bool = true, sentinelPassword: String? = nil) async throws {
        // Its own folder: a master that once was a replica, or saves for a new one, writes a snapshot there.
        master = try await RedisServer(settings: ["--dir", try Tools.temporaryDirectory("redis-master")])
        replica = withReplica ? try await RedisServer.replica(of: master) : nil
        sentinels = try await RedisSentinel.cluster(masterPort: master.port, replicas: withReplica ? 1 : 0, password: sentinelPassword)
    }

    /// `REDIS_SENTINELS` naming the three, in order.
    public var sentinelList: String { RedisSentinel.list(sentinels) }

    /// Waits until a sentinel logged `+switch-master` to `port` (the failover finished), or fails after `timeout`.
    public func waitForSwitch(to port: Int, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !sentinels.contains(where: { $0.log.contains("+switch-master \(RedisSentinel.masterName)") && $0.log.contains(" 127.0.0.1 \(port)\n") }) {
            guard ContinuousClock.now < deadline else { throw ChildProcessError.timedOut(stdout: sentinels.map(\.log).joined(), stderr: "") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops every process still running.
    public func stop() async {
        for sentinel in sentinels { await sentinel.stop() }
        await replica?.stop()
        await master.stop()
    }
}
