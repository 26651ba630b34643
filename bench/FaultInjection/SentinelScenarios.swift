import Foundation
import NSCore
import NSTestSupport

/// The Redis high-availability scenarios (issue 28): nsd finds its queue through Sentinel on a
/// topology of network namespaces (NSTestSupport's NetworkTopology and RedisSentinelGroup, shared
/// with the end-to-end tests), with REDIS_SENTINELS, REDIS_MASTER_NAME and REDIS_MIN_REPLICAS=1;
/// they fail loudly if nsd does not take its queue from Sentinel (vp-node's queue check must say
/// `redis`). Need root.
extension Scenarios {
    /// kill -9 the Redis master under load; the sentinels promote a replica and nsd follows.
    static func redisFailover() async throws -> Bool {
        try await onSentinelTopology(name: "redis-failover") { _, group in
            await group.servers[0].kill9()
            print("  kill -9 of the Redis master (\(group.servers[0].endpoint))")
            let failover = try await group.waitForNewMaster(replacing: group.servers[0])
            print("  the sentinels named \(failover.master.endpoint) after \(failover.after)")
            try await Task.sleep(for: .seconds(5))
        }
    }

    /// Cut the Redis master's link under load (split brain); the sentinels promote a replica;
    /// healed, the old master must come back as a replica of the new one.
    static func redisPartition() async throws -> Bool {
        try await onSentinelTopology(name: "redis-partition") { topology, group in
            let old = group.servers[0]
            try topology.cut(old.host)
            print("  the Redis master's link (\(old.endpoint)) cut")
            let failover = try await group.waitForNewMaster(replacing: old)
            print("  the sentinels named \(failover.master.endpoint) after \(failover.after); healing in 5 s")
            try await Task.sleep(for: .seconds(5))
            try topology.restore(old.host)
            try await group.waitUntilReplica(old, of: failover.master)
            print("  healed: \(old.endpoint) is a replica of \(failover.master.endpoint)")
        }
    }

    /// Redis master and two replicas (so that one replica is left to confirm writes after a
    /// loss) with `min-replicas-to-write 1`, three sentinels, ns-node on the `ledger` host and
    /// gateway + vp-node on `front` with REDIS_MIN_REPLICAS=1, each on its own host; the client
    /// reaches them through the root namespace's link. `fault` runs under load; the verdict is the
    /// usual one, plus the failover time: the longest stretch after the fault with no 202 answered.
    static func onSentinelTopology(name: String, fault: (NetworkTopology, RedisSentinelGroup) async throws -> Void) async throws -> Bool {
        let topology = try NetworkTopology(hosts: ["redis-a", "redis-b", "redis-c", "sentinel-1", "sentinel-2", "sentinel-3", "ledger", "front"],
                                           reachableFromRoot: true)
        defer { topology.stop() }  // also kills what is left running in its hosts when a step throws
        let group = try await RedisSentinelGroup(serverHosts: try ["redis-a", "redis-b", "redis-c"].map(topology.host),
                                                 sentinelHosts: try ["sentinel-1", "sentinel-2", "sentinel-3"].map(topology.host),
                                                 settings: ["min-replicas-to-write 1", "min-replicas-max-lag 2", "appendonly yes", "appendfsync always"])
        let ledger = try topology.host("ledger"), front = try topology.host("front")
        // Two processes with their own data folders: the ledger must be told the producer's key.
        let producer = LedgerKey(generatingNamed: "vp-node")
        let keys = ["VP_SIGNING_KEY": producer.exportSeed(), "VALIDATOR_PUBLIC_KEYS": "vp-node=\(producer.publicKey.base64)"]
        let ns = NodeProcess(roles: ["ns"], dataDirectory: try Tools.temporaryDirectory("fault-ha-ns"), ports: ["ns": 3000],
                             environment: Scenario.environment.merging(keys) { $1 },
                             wrapper: try Self.inNamespace(ledger), address: ledger.address)
        try await ns.start()
        let nodes = NodeProcess(roles: ["vp", "gateway"], dataDirectory: try Tools.temporaryDirectory("fault-ha-front"), ports: ["vp": 3002, "gateway": 8080],
                                environment: Scenario.environment.merging(keys) { $1 }.merging([
                                    "REDIS_SENTINELS": group.sentinelList, "REDIS_MASTER_NAME": RedisSentinelGroup.masterName,
                                    "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT_MS": "1000", "NS_NODE_URL": ns.url("ns"),
                                ]) { $1 },
                                wrapper: try Self.inNamespace(front), address: front.address)
        try await nodes.start()
        let tokens = try await Scenario.tokens()
        let judge = verdict(gateway: nodes.url("gateway"), ns: ns.url("ns"), vp: nodes.url("vp"), tokens: tokens)
        let queue = await judge.healthDetail(nodes.url("vp"), check: "queue")
        guard queue == "redis" else {
            print("scenario \(name): FAIL (nsd did not take its queue from Sentinel: vp-node's queue check says \(queue ?? "nothing"))")
            return false
        }
        let traffic = Traffic(gateways: [nodes.url("gateway")], token: tokens.client, client: Scenario.client)
        var faultAt = ContinuousClock.now
        let passed = try await Scenario(name: name, expectsUnavailable: false).run(traffic: traffic, verdict: judge) {
            faultAt = .now
            try await fault(topology, group)
        }
        let interruption = await traffic.interruption(after: faultAt)
        print("  failover time (the longest stretch without a 202 after the fault): "
              + (interruption.map { "\($0.to - $0.from), from \($0.from - faultAt) to \($0.to - faultAt) after the fault" } ?? "no 202 after the fault"))
        await nodes.stop()
        await ns.stop()
        await group.stop()
        return passed && interruption != nil
    }

    /// `ip netns exec` into `host`, as NodeProcess's wrapper.
    static func inNamespace(_ host: NetworkHost) throws -> [String] {
        [try Tools.which("ip"), "netns", "exec", host.namespace]
    }
}
