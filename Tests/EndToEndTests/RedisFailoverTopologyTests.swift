import Foundation
import NSTestSupport
import Testing

/// Redis master, replica and three sentinels, each on its own host (a network namespace), checked
/// with plain redis-cli: what Sentinel does on a crash and on a partition, and what
/// `min-replicas-to-write` and `WAIT` change. Needs root (CI runs as root) and iproute2.
@Suite("Redis with Sentinel across hosts", .serialized)
struct RedisFailoverTopologyTests {
    static let hostNames = ["redis-a", "redis-b", "sentinel-1", "sentinel-2", "sentinel-3", "client"]

    /// The topology and the group on it: `servers[0]` (on redis-a) the master.
    static func start(settings: [String] = []) async throws -> (NetworkTopology, RedisSentinelGroup, client: NetworkHost) {
        let topology = try NetworkTopology(hosts: hostNames)
        let group = try await RedisSentinelGroup(serverHosts: [try topology.host("redis-a"), try topology.host("redis-b")],
                                                 sentinelHosts: [try topology.host("sentinel-1"), try topology.host("sentinel-2"), try topology.host("sentinel-3")],
                                                 settings: settings)
        return (topology, group, try topology.host("client"))
    }

    /// Writes `keys` and waits for one replica; returns WAIT's count.
    static func writeAcknowledged(_ keys: [String], to master: RedisOnHost, from client: NetworkHost) throws -> String {
        let replies = try master.pipeline(keys.map { ["SET", $0, "v"] } + [["WAIT", "1", "2000"]], from: client)
        // A refused SET would still be followed by a WAIT that counts the replica: report the refusal instead.
        if let refused = replies.dropLast().first(where: { $0 != "OK" }) { return "SET refused: \(refused)" }
        return replies.last ?? ""
    }

    @Test("hosts reach each other through the switch; a cut host reaches nobody until restored; stop removes every namespace and process")
    func cutAndRestore() async throws {
        let topology = try NetworkTopology(hosts: ["server", "peer"], reachableFromRoot: true)
        let server = try await RedisOnHost.server(on: try topology.host("server"))
        let peer = try topology.host("peer")
        #expect(try server.cli(["PING"], from: peer) == "PONG")
        let root = try #require(topology.rootAddress)
        #expect(root.hasPrefix("10.250.") && Tools.canConnect(address: server.host.address, port: server.port), "the root namespace reaches a host")

        try topology.cut(server.host)
        #expect(throws: RedisCommandError.self) { try server.cli(["PING"], from: peer, timeout: 3) }
        #expect(try server.cli(["PING"]) == "PONG", "a cut host still reaches itself")
        try topology.restore(server.host)
        #expect(try server.cli(["PING"], from: peer) == "PONG")

        let namespaces = topology.namespaces
        #expect(Set(try NetworkTopology.existingNamespaces()).isSuperset(of: namespaces))
        let pid = try #require(try server.info("process_id", section: "server"))
        topology.stop()
        #expect(Set(try NetworkTopology.existingNamespaces()).isDisjoint(with: namespaces))
        #expect(!Self.isRunning(pid), "the server left in a namespace was killed")
        await server.stop()
    }

    /// Whether process `pid` runs (a zombie not yet reaped does not).
    static func isRunning(_ pid: String) -> Bool {
        // No status file: the process is gone.
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return status.split(separator: "\n").first { $0.hasPrefix("State:") }.map { !$0.contains("Z") } ?? false
    }

    @Test("kill -9 of the master: the sentinels promote the replica, which holds every write WAIT confirmed; the old master restarts as its replica, and killing the promoted one promotes it back")
    func killMaster() async throws {
        let (topology, group, client) = try await Self.start()
        defer { topology.stop() }
        let (first, second) = (group.servers[0], group.servers[1])
        let before = (0..<50).map { "before-kill:\($0)" }
        #expect(try Self.writeAcknowledged(before, to: first, from: client) == "1")

        await first.kill9()
        let failover = try await group.waitForNewMaster(replacing: first)
        #expect(failover.master === second)
        print("kill -9 of the master -> a sentinel majority names the new master: \(failover.after)")
        #expect(try second.info("role") == "master")
        #expect(try second.cli(["EXISTS"] + before) == "50")

        try await first.start()
        try await group.waitUntilReplica(first, of: second)
        let after = (0..<50).map { "after-kill:\($0)" }
        #expect(try Self.writeAcknowledged(after, to: second, from: client) == "1")

        await second.kill9()
        let back = try await group.waitForNewMaster(replacing: second)
        #expect(back.master === first)
        #expect(try first.cli(["EXISTS"] + before + after) == "100")
        await group.stop()
    }

    @Test("a cut master (split brain): the sentinels promote the replica; healed, the old master becomes its replica and drops what it took alone, keeping what WAIT confirmed")
    func partitionedMaster() async throws {
        let (topology, group, client) = try await Self.start()
        defer { topology.stop() }
        let (old, replica) = (group.servers[0], group.servers[1])
        #expect(try Self.writeAcknowledged(["acknowledged"], to: old, from: client) == "1")

        try topology.cut(old.host)
        // Without min-replicas-to-write the isolated master still says OK, but no replica has it.
        #expect(try old.pipeline([["SET", "taken-alone", "v"], ["WAIT", "1", "500"]]) == ["OK", "0"])
        let failover = try await group.waitForNewMaster(replacing: old)
        #expect(failover.master === replica)
        print("cut master -> a sentinel majority names the new master: \(failover.after)")

        try topology.restore(old.host)
        try await group.waitUntilReplica(old, of: replica)
        #expect(try replica.cli(["EXISTS", "acknowledged", "taken-alone"]) == "1")
        #expect(try old.cli(["GET", "taken-alone"]) == "", "the old master gave up what it took alone")
        #expect(try old.cli(["GET", "acknowledged"]) == "v")
        await group.stop()
    }

    @Test("min-replicas-to-write 1, max lag 2 s: the cut master refuses writes with NOREPLICAS within the lag window, and nothing WAIT confirmed is lost")
    func minReplicasRefuseWrites() async throws {
        let maxLag = 2
        let (topology, group, client) = try await Self.start(settings: ["min-replicas-to-write 1", "min-replicas-max-lag \(maxLag)"])
        defer { topology.stop() }
        let (old, replica) = (group.servers[0], group.servers[1])
        #expect(try Self.writeAcknowledged(["acknowledged"], to: old, from: client) == "1")

        try topology.cut(old.host)
        let cut = ContinuousClock.now
        var window: [String] = []
        var refusal: String?
        while refusal == nil, ContinuousClock.now - cut < .seconds(maxLag + 10) {
            let key = "window:\(window.count)"
            let replies = try old.pipeline([["SET", key, "v"], ["WAIT", "1", "100"]])
            if replies[0] == "OK" {
                #expect(replies[1] == "0", "WAIT cannot confirm a write no replica can receive")
                window.append(key)
            } else {
                refusal = replies[0]
            }
        }
        let refusedAfter = ContinuousClock.now - cut
        print("cut master refuses writes after \(refusedAfter); \(window.count) write(s) answered OK (WAIT 0) before that")
        #expect(refusal?.hasPrefix("NOREPLICAS") == true, "\(refusal ?? "no refusal")")
        // Replicas acknowledge every second; the master counts one as good up to maxLag s after its ack.
        #expect(refusedAfter < .seconds(maxLag + 3))

        let failover = try await group.waitForNewMaster(replacing: old)
        #expect(failover.master === replica)
        // The promoted replica has no replica of its own yet: it refuses writes too.
        #expect(try replica.pipeline([["SET", "alone", "v"]], from: client).first?.hasPrefix("NOREPLICAS") == true)
        try topology.restore(old.host)
        try await group.waitUntilReplica(old, of: replica)
        #expect(try Self.writeAcknowledged(["healed"], to: replica, from: client) == "1")
        #expect(try replica.cli(["EXISTS", "acknowledged", "healed"]) == "2", "every write WAIT confirmed is kept")
        let survivors = try replica.cli(["EXISTS"] + window)
        #expect(survivors == "0", "the window's unconfirmed writes are gone: \(survivors) of \(window.count) are on the new master")
        await group.stop()
    }
}
