import Foundation
import NSCore
import NSQueue
import NSRedis

/// The job queue of one `nsd` process, shared by its gateway and vp-node: in Redis when
/// `REDIS_URL` or `REDIS_SENTINELS` is set (gateways and vp-nodes on several hosts share it), else in SQLite under
/// vp-node-data (one host).
struct HostQueue {
    let queue: any JobQueue
    /// ``QueueStoreCheck``: the store takes writes.
    let check: DependencyCheck
    let metrics: QueueMetrics
    /// The Redis the queue lives in, which the gateway's rate limiter shares; `nil` on SQLite.
    let redis: RedisClient?

    /// Opens the store (with SQLite, vp-node's database even in a gateway-only process); its
    /// gauges and failures are counted by vp-node when this process hosts one, else by the gateway.
    static func open(in assembly: inout HostAssembly) throws(ConfigurationError) -> HostQueue {
        let settings = assembly.settings
        let owner: NodeRole = settings.roles.contains(.vp) ? .vp : .gateway
        let metrics = QueueMetrics(factory: assembly.metrics(owner).factory)
        let defaults = JobQueueDefaults(maxAttempts: settings.jobMaxRetries, timeout: settings.jobTimeout, retention: settings.jobRetention)
        let logger = assembly.makeLogger(NodeRole.vp.serviceName)
        if settings.usesRedis {
            let redis = try redisClient(url: settings.redisURL, sentinel: settings.redisSentinel, waitingFor: settings.redisReplication)
            let queue = RedisJobQueue(client: redis, defaults: defaults, metrics: metrics, logger: logger, replication: settings.redisReplication)
            return HostQueue(queue: queue, check: QueueStoreCheck.make(queue: queue, backend: "redis", gauges: metrics), metrics: metrics, redis: redis)
        }
        if settings.redisReplication.isRequired {
            throw ConfigurationError(variable: "REDIS_MIN_REPLICAS", problem: "asks for Redis replicas, but the queue is SQLite (neither REDIS_URL nor REDIS_SENTINELS is set)",
                                     fix: "set REDIS_URL to the Redis master (or REDIS_SENTINELS), or set REDIS_MIN_REPLICAS=0")
        }
        let database = try assembly.openDatabase(settings.queueDatabasePath, variable: "--data-dir", owner: .vp, countedBy: owner,
                                                schema: SQLiteQueueSchema.register)
        let queue = SQLiteJobQueue(pool: database.pool, defaults: defaults, metrics: metrics, logger: logger)
        return HostQueue(queue: queue, check: QueueStoreCheck.make(queue: queue, backend: "sqlite", gauges: metrics), metrics: metrics, redis: nil)
    }

    /// nsd's Redis client. Commands take milliseconds on a healthy Redis; the short limits make a
    /// Redis that stopped answering (shutting down, overloaded) a quick 503 at the gateway rather
    /// than a request that hangs for seconds. With replicas required, a `WAIT` holds its connection
    /// (and the commands queued behind it) for up to its timeout, so the deadline grows by that much.
    private static func redisClient(url: URL?, sentinel: RedisSentinelSettings?,
                                    waitingFor replication: RedisReplicationSettings) throws(ConfigurationError) -> RedisClient {
        let deadline: Duration = .milliseconds(1_500) + (replication.isRequired ? replication.waitTimeout : .zero)
        do throws(RedisError) {
            // usesRedis: one of the two is set.
            let configuration = try RedisConfiguration(url: url, sentinel: sentinel, connectTimeout: .seconds(1), commandTimeout: deadline)!
            return RedisClient(configuration: configuration)
        } catch {
            throw ConfigurationError(variable: "REDIS_URL", problem: "is not a usable Redis URL (\(error))", fix: "use redis://[:password@]host:port[/db]")
        }
    }
}
