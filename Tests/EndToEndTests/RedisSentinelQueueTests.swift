import Foundation
import NSCore
import NSTestSupport
import Testing

/// nsd on the Sentinel topology: gateway and vp-node on one host, ns-node (the ledger) on
/// another, Redis master, replica and three sentinels on hosts of their own; submissions from the
/// test process through the root namespace's link.
/// It fails loudly, not silently, if nsd does not use Redis through Sentinel (vp-node's queue
/// check must say `redis`).
@Suite("the queue through Sentinel across hosts", .serialized)
struct RedisSentinelQueueTests {
    static let internalToken = String(repeating: "3c", count: 32)

    /// `nsd run` for `roles` on `host`, on fixed ports at the host's address, once every port accepts.
    static func startNSD(on host: NetworkHost, roles: [String: Int], environment: [String: String]) async throws -> ChildProcess {
        var arguments = ["run", "--data-dir", try Tools.temporaryDirectory("nsd-\(host.name)"), "--host", host.address]
        for (role, port) in roles.sorted(by: { $0.key < $1.key }) { arguments += ["--role", role, "--\(role)-port", String(port)] }
        let child = try host.spawn(try NSDInstance.binary(), arguments, environment: NSDInstance.environment(environment))
        for port in roles.values {
            for _ in 0..<300 where !Tools.canConnect(address: host.address, port: port) {
                guard child.isRunning else { throw ChildProcessError.timedOut(stdout: child.stdout, stderr: child.stderr) }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return child
    }

    @Test("REDIS_SENTINELS and REDIS_MIN_REPLICAS=1: under steady submissions, kill -9 of the master loses no 202 and commits nothing twice")
    func failoverUnderLoad() async throws {
        try await Self.underLoad(name: "kill -9") { _, group in
            await group.servers[0].kill9()
            let failover = try await group.waitForNewMaster(replacing: group.servers[0])
            // With REDIS_MIN_REPLICAS=1 and the promoted server alone, no write can be confirmed (503s,
            // nothing completes) until a replica is back: the killed server returns as the new one's.
            try await group.servers[0].start()
            try await group.waitUntilReplica(group.servers[0], of: failover.master)
            return failover
        }
    }

    @Test("split brain: the master's link cut under steady submissions (min-replicas-to-write 1, REDIS_MIN_REPLICAS=1); healed, no 202 is lost or committed twice")
    func partitionUnderLoad() async throws {
        try await Self.underLoad(name: "link cut", serverSettings: ["min-replicas-to-write 1", "min-replicas-max-lag 2"]) { topology, group in
            let old = group.servers[0]
            try topology.cut(old.host)
            let failover = try await group.waitForNewMaster(replacing: old)
            try await Task.sleep(for: .seconds(3))  // the cut-off master keeps running alone meanwhile
            try topology.restore(old.host)
            try await group.waitUntilReplica(old, of: failover.master)
            return failover
        }
    }

    @Test("kill -9 of the master, then of the promoted one once the old master is its replica: no 202 is lost or committed twice")
    func secondFailoverUnderLoad() async throws {
        try await Self.underLoad(name: "kill -9 twice") { _, group in
            let (first, second) = (group.servers[0], group.servers[1])
            await first.kill9()
            let failover = try await group.waitForNewMaster(replacing: first)
            try await first.start()
            try await group.waitUntilReplica(first, of: failover.master)
            await second.kill9()
            let back = try await group.waitForNewMaster(replacing: second)
            #expect(back.master === first, "the old master, now a replica, is promoted back")
            try await second.start()
            try await group.waitUntilReplica(second, of: back.master)
            return failover
        }
    }

    /// Submissions every 20 ms for 3 s, then `fault` (which returns once a replica confirms writes
    /// again), 5 s more; then every 202 must commit exactly once.
    static func underLoad(name: String, serverSettings: [String] = [],
                          fault: (NetworkTopology, RedisSentinelGroup) async throws -> (master: RedisOnHost, after: Duration)) async throws {
        let topology = try NetworkTopology(hosts: RedisFailoverTopologyTests.hostNames + ["ledger", "front"], reachableFromRoot: true)
        defer { topology.stop() }
        let group = try await RedisSentinelGroup(serverHosts: [try topology.host("redis-a"), try topology.host("redis-b")],
                                                 sentinelHosts: [try topology.host("sentinel-1"), try topology.host("sentinel-2"), try topology.host("sentinel-3")],
                                                 settings: serverSettings)
        let ledger = try topology.host("ledger"), front = try topology.host("front")
        // Two processes with their own data folders: the ledger must be told the producer's key.
        let producer = LedgerKey(generatingNamed: "vp-node")
        let shared = ["JWT_SECRET": ClientToken.secret, "INTERNAL_TOKEN": Self.internalToken, "RATE_LIMIT_MAX_REQUESTS": "1000000",
                      "VP_SIGNING_KEY": producer.exportSeed(), "VALIDATOR_PUBLIC_KEYS": "vp-node=\(producer.publicKey.base64)"]
        let ns = try await Self.startNSD(on: ledger, roles: ["ns": 3000], environment: shared)
        let nodes = try await Self.startNSD(on: front, roles: ["gateway": 8080, "vp": 3002], environment: shared.merging([
            "REDIS_SENTINELS": group.sentinelList, "REDIS_MASTER_NAME": RedisSentinelGroup.masterName,
            "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT_MS": "1000", "NS_NODE_URL": "http://\(ledger.address):3000",
        ]) { $1 })
        let gateway = "http://\(front.address):8080"
        let checks = try await Fetched.get("http://\(front.address):3002/health").json?["checks"] as? [String: Any] ?? [:]
        try #require((checks["queue"] as? [String: Any])?["detail"] as? String == "redis", "nsd did not take its queue from Sentinel: \(checks)")

        let token = ClientToken.make(sub: "failover", expiresIn: 3600)
        let submitting = Task { () -> [(id: String, content: String)] in
            var accepted: [(id: String, content: String)] = []
            for index in 0..<2_000 where !Task.isCancelled {
                let content = "sentinel failover artifact \(index) \(UUID().uuidString)"
                // A refused or timed-out request was not acknowledged: nothing to hold the system to.
                if let answer = try? await Fetched.submit(gateway, token: token, content: content), answer.status == 202,
                   let id = answer.json?["id"] as? String {
                    accepted.append((id, content))
                }
                try? await Task.sleep(for: .milliseconds(20))  // cancelled: the loop ends at its next check
            }
            return accepted
        }
        try await Task.sleep(for: .seconds(3))
        let failover = try await fault(topology, group)
        #expect(failover.master === group.servers[1])
        try await Task.sleep(for: .seconds(5))
        submitting.cancel()
        let accepted = await submitting.value
        #expect(accepted.count > 100)

        let committed = try await RedisPipelineTests.waitCommitted(gateway, ids: accepted.map(\.id), token: token)
        #expect(committed == accepted.count, "lost \(accepted.count - committed) acknowledged submission(s)")
        var duplicated = 0
        for artifact in accepted {
            let sha = MerkleHash.sha256(Array(artifact.content.utf8)).hex
            let transactions = try await Fetched.get("http://\(ledger.address):3000/v1/artifacts/\(sha)").json?["txs"] as? [Any]
            #expect(transactions?.count == 1, "artifact \(artifact.id) committed \(transactions?.count ?? 0) time(s)")
            duplicated += max(0, (transactions?.count ?? 0) - 1)
        }
        print("sentinel \(name): accepted \(accepted.count), committed \(committed), lost \(accepted.count - committed), duplicated \(duplicated), new master after \(failover.after)")
        nodes.signal(SIGTERM)
        ns.signal(SIGTERM)
        #expect(await nodes.waitForExit() == 0)
        #expect(await ns.waitForExit() == 0)
        await group.stop()
    }
}
