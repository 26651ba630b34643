/// The HA Redis variant of ``NeuroSwarmDeployment``: the queue on a Redis master with one replica
/// and three sentinels, which promote the replica when the master is down; gateway-node and
/// vp-node find the master through the sentinels and count a write only once the replica holds it.
///
/// Every server gets the plain variant's settings (AOF, maxmemory, noeviction) plus
/// `min-replicas-to-write`, so whichever is master refuses writes it cannot replicate. Each server
/// keeps the role Sentinel gives it in a config file on its volume (Sentinel's `CONFIG REWRITE`),
/// and each sentinel its state, so restarts keep the roles a failover chose.
enum RedisHADeployment {
    static let composeFileName = "docker-compose.ha.yml"
    /// The name the sentinels know the master by (`REDIS_MASTER_NAME`).
    static let masterName = "neuroswarm"
    /// Sentinels that must agree the master is down before one fails it over.
    static let quorum = 2
    static let sentinelPort = 26379
    static let downAfterMilliseconds = 5000
    static let failoverTimeoutMilliseconds = 60000
    /// Replicas that must hold a write: the nodes' `REDIS_MIN_REPLICAS` and the servers' `min-replicas-to-write`.
    static let minReplicas = 1
    /// Seconds a replica may go without acknowledging before the master stops counting it.
    static let maxReplicaLagSeconds = 10
    /// Where each server keeps the role Sentinel gave it; the settings come from the command line at every start.
    static let serverConfig = "/data/redis.conf"
    static let sentinelConfig = "/data/sentinel.conf"

    static var services: [ComposeService] {
        NeuroSwarmDeployment.services.flatMap { plain -> [ComposeService] in
            if plain.name == master.name { return [master, replica] + sentinels }
            return plain.environment.contains { $0.name == NeuroSwarmDeployment.redisURL.name } ? [discoveringMaster(plain)] : [plain]
        }
    }

    /// The first master: the plain variant's redis, which may write only while a replica keeps up.
    static let master: ComposeService = {
        var server = NeuroSwarmDeployment.redis
        server.summary = "redis: the job queue's first master (Sentinel may promote redis-replica instead), AOF on."
        server.runtime = .image(NeuroSwarmDeployment.redisImage, command: serverCommand(firstStart: "touch \(serverConfig)"))
        server.commandNotes += [
            "min-replicas-to-write \(minReplicas) with min-replicas-max-lag \(maxReplicaLagSeconds) (on every server, as any may be",
            "promoted): a master whose replica is away or more than \(maxReplicaLagSeconds) s behind refuses writes, so one cut off from",
            "the sentinels cannot accept jobs that the failover on the other side would discard (the split-brain window).",
            "The settings are these arguments at every start; \(serverConfig) on the volume only keeps the role",
            "Sentinel gives the server, so a restarted one rejoins as what it last was.",
        ]
        return server
    }()

    static let replica: ComposeService = {
        var server = master
        server.name = "redis-replica"
        server.containerName = "neuroswarm-redis-replica"
        server.summary = "redis-replica: a copy of the master that the sentinels promote when the master is down."
        server.address = "172.20.0.16"
        server.port = .init(host: master.port.host + 1, container: master.port.container, isPublic: false)
        server.runtime = .image(NeuroSwarmDeployment.redisImage, command: serverCommand(
            firstStart: "test -f \(serverConfig) || echo 'replicaof \(master.address) \(master.port.container)' > \(serverConfig)"))
        server.volumes = [.init(source: "redis-replica-data", target: "/data")]
        server.dependsOn = [master.name]
        server.commandNotes = ["A replica of redis on its first start; afterwards the role Sentinel gave it (\(serverConfig))."]
        return server
    }()

    /// redis-sentinel-1 to -3, host ports 26379 to 26381.
    static let sentinels = (1...3).map(sentinel)

    private static func sentinel(_ number: Int) -> ComposeService {
        let name = "redis-sentinel-\(number)"
        let lines = [
            "port \(sentinelPort)",
            "sentinel monitor \(masterName) \(master.address) \(master.port.container) \(quorum)",
            "sentinel down-after-milliseconds \(masterName) \(downAfterMilliseconds)",
            "sentinel failover-timeout \(masterName) \(failoverTimeoutMilliseconds)",
            "sentinel parallel-syncs \(masterName) 1",
        ]
        let write = "{ " + lines.map { "echo '\($0)'; " }.joined() + "} > \(sentinelConfig)"
        return ComposeService(
            name: name, containerName: "neuroswarm-\(name)",
            summary: "\(name): one of three sentinels; two must agree the master is down before one promotes the replica.",
            runtime: .image(NeuroSwarmDeployment.redisImage, command: [
                "sh", "-c", "test -f \(sentinelConfig) || \(write) && exec docker-entrypoint.sh redis-server \(sentinelConfig) --sentinel",
            ]),
            address: "172.20.0.\(16 + number)", port: .init(host: sentinelPort + number - 1, container: sentinelPort, isPublic: false),
            environment: [], secrets: [], volumes: [.init(source: "\(name)-data", target: "/data")], dependsOn: [master.name],
            health: .init(test: ["CMD", "redis-cli", "-p", String(sentinelPort), "ping"], startPeriod: "10s"),
            resources: .init(cpus: "0.25", memory: "64M", reservedCPUs: "0.05", reservedMemory: "16M"),
            commandNotes: [
                "The master by its fixed address, not its name: a sentinel resolves names when it reads its",
                "config and would not start while the master's container is away; servers announce addresses anyway.",
                "Written on the first start only: the sentinel rewrites the file with what it learns (the current",
                "master, the other sentinels), which must survive a restart. After changing the master's name or",
                "address, remove the redis-sentinel-*-data volumes.",
            ])
    }

    /// A queue client: asks the sentinels where the master is and waits for the replica on each write.
    private static func discoveringMaster(_ plain: ComposeService) -> ComposeService {
        var node = plain
        let discovery: [ComposeService.Setting] = [
            .fixed("REDIS_SENTINELS", sentinels.map { "\($0.name):\($0.port.container)" }.joined(separator: ",")),
            .fixed("REDIS_MASTER_NAME", masterName),
            .fixed("REDIS_MIN_REPLICAS", String(minReplicas)),
        ]
        node.environment = plain.environment.flatMap { $0.name == NeuroSwarmDeployment.redisURL.name ? [$0] + discovery : [$0] }
        node.dependsOn = plain.dependsOn.flatMap { $0 == master.name ? [master.name, replica.name] + sentinels.map(\.name) : [$0] }
        return node
    }

    /// The server's command: `firstStart` prepares its config file, then the image's entrypoint
    /// (which hands the volume to the redis user and drops root) starts it with the plain settings.
    private static func serverCommand(firstStart: String) -> [String] {
        let settings = NeuroSwarmDeployment.redisSettings + [
            "--min-replicas-to-write", String(minReplicas), "--min-replicas-max-lag", String(maxReplicaLagSeconds),
        ]
        return ["sh", "-c", "\(firstStart) && exec docker-entrypoint.sh redis-server \(serverConfig) " + settings.joined(separator: " ")]
    }
}
