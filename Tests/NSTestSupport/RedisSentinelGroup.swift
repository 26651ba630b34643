import Foundation

/// A replicated Redis on a `NetworkTopology`: a master and its replicas, each on its own host,
/// and sentinels (a quorum of a majority) on hosts of their own, started and waited for until
/// every sentinel knows every replica and every other sentinel, so that a failover can happen.
public final class RedisSentinelGroup: Sendable {
    /// The name the sentinels monitor the master under (REDIS_MASTER_NAME).
    public static let masterName = "nsqueue"

    /// The data servers; `servers[0]` started as the master.
    public let servers: [RedisOnHost]
    public let sentinels: [RedisOnHost]

    /// Starts a master on `serverHosts[0]`, a replica of it on each other server host, and a
    /// sentinel on each of `sentinelHosts`. `settings` go to every data server (e.g.
    /// `min-replicas-to-write 1`, which a replica promoted later then applies too).
    public init(serverHosts: [NetworkHost], sentinelHosts: [NetworkHost], settings: [String] = [], password: String? = nil,
                sentinelPassword: String? = nil, downAfterMilliseconds: Int = 1_000) async throws {
        let master = try await RedisOnHost.server(on: serverHosts[0], password: password, settings: settings)
        var servers = [master]
        for host in serverHosts.dropFirst() {
            servers.append(try await RedisOnHost.server(on: host, password: password, settings: settings + ["replicaof \(master.host.address) \(master.port)"]))
        }
        var sentinels: [RedisOnHost] = []
        for host in sentinelHosts {
            sentinels.append(try await RedisOnHost.sentinel(on: host, monitoring: master.host.address, name: Self.masterName, quorum: sentinelHosts.count / 2 + 1,
                                                            downAfterMilliseconds: downAfterMilliseconds, masterPassword: password, password: sentinelPassword))
        }
        self.servers = servers
        self.sentinels = sentinels
        for replica in servers.dropFirst() { try await waitUntilReplica(replica, of: master) }
        try await waitUntilGoodReplicas(of: master)
        try await waitUntilSentinelsKnowEachOther()
    }

    /// `address:port,...` of the sentinels, as REDIS_SENTINELS takes them.
    public var sentinelList: String { sentinels.map(\.endpoint).joined(separator: ",") }

    /// The master's address as `sentinel` reports it (`SENTINEL get-master-addr-by-name`), or
    /// nil when it cannot be asked.
    public func masterAddress(askingSentinel sentinel: RedisOnHost) -> String? {
        // An unreachable sentinel has no answer to give: nil says so.
        guard let reply = try? sentinel.cli(["SENTINEL", "get-master-addr-by-name", Self.masterName]) else { return nil }
        return reply.split(whereSeparator: \.isNewline).first.map(String.init)
    }

    /// The data server at `address`.
    public func server(at address: String) -> RedisOnHost? { servers.first { $0.host.address == address } }

    /// Waits until a majority of the sentinels reachable from their hosts name a master other
    /// than `old`, and returns it with the time taken.
    public func waitForNewMaster(replacing old: RedisOnHost, timeout: Duration = .seconds(60)) async throws -> (master: RedisOnHost, after: Duration) {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            let named = sentinels.compactMap { masterAddress(askingSentinel: $0) }.filter { $0 != old.host.address }
            if let address = named.first, named.filter({ $0 == address }).count > sentinels.count / 2, let master = server(at: address) {
                return (master, ContinuousClock.now - started)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisGroupError.timedOut("no sentinel majority named a master other than \(old.endpoint) within \(timeout)\n"
            + sentinels.map { $0.log.suffix(2_000) }.joined(separator: "\n---\n"))
    }

    /// Waits until `server` is a replica of `master` with its replication link up, and `master`
    /// counts it as good for `min-replicas-to-write` (until its first acknowledgement a master
    /// with that setting still refuses writes).
    public func waitUntilReplica(_ server: RedisOnHost, of master: RedisOnHost, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // Not answering yet (restarting, or reconnecting): asked again until the deadline.
            if (try? server.info("role")) == "slave", (try? server.info("master_host")) == master.host.address,
               (try? server.info("master_link_status")) == "up" {
                try await waitUntilGoodReplicas(of: master)
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RedisGroupError.timedOut("\(server.endpoint) did not become an in-sync replica of \(master.endpoint) within \(timeout): \(server.log.suffix(2_000))")
    }

    /// Waits until `master` counts every replica as good for `min-replicas-to-write` (a replica
    /// counts from its first acknowledgement on; before that the master would refuse writes).
    private func waitUntilGoodReplicas(of master: RedisOnHost, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // Without min-replicas-to-write the field is absent: nothing to wait for.
            guard let good = try master.info("min_slaves_good_slaves") else { return }
            if Int(good) == servers.count - 1 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RedisGroupError.timedOut("\(master.endpoint) did not count its \(servers.count - 1) replica(s) as good within \(timeout)")
    }

    /// Waits until every sentinel sees every replica and every other sentinel: before that a
    /// failover may lack its quorum or its candidate.
    private func waitUntilSentinelsKnowEachOther(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ready = sentinels.allSatisfy { sentinel in
                // Not answering yet: not ready.
                guard let fields = try? sentinel.cli(["SENTINEL", "master", Self.masterName]).split(whereSeparator: \.isNewline).map(String.init) else { return false }
                func value(_ name: String) -> Int? { fields.firstIndex(of: name).flatMap { fields.indices.contains($0 + 1) ? Int(fields[$0 + 1]) : nil } }
                return value("num-slaves") == servers.count - 1 && value("num-other-sentinels") == sentinels.count - 1
            }
            if ready { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw RedisGroupError.timedOut("the sentinels did not discover each other and the replicas within \(timeout)")
    }

    public func stop() async {
        for process in sentinels + servers { await process.stop() }
    }
}

public enum RedisGroupError: Error, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let what): what
        }
    }
}
