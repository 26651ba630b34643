import Foundation
import GRDB
import Logging
import NSQueue
import NSRedis
import NSTestSupport
import Synchronization

/// A clock the test moves by hand (a fake for the passage of time, outside the system).
final class ManualClock: JobClock {
    private let now = Mutex<Int64>(1_765_079_700_000)

    func nowMs() -> Int64 { now.withLock { $0 } }

    func advance(_ duration: Duration) {
        now.withLock { $0 += Int64(duration / .milliseconds(1)) }
    }
}

/// The backends every conformance test runs against.
enum Backend: String, CaseIterable, CustomStringConvertible {
    case sqlite
    case redis

    var description: String { rawValue }

    /// A fresh queue on a real store (a new SQLite file, or a redis-server of its own), with a
    /// manual clock and jitter removed (delays are nominal).
    /// `redisSettings` go to the Redis backend's server (`--maxmemory`, ...).
    func make(maxAttempts: Int = 3, timeout: Duration = .seconds(60), retention: Duration = JobQueueDefaults.defaultRetention,
              maxDeadLetters: Int? = nil, metrics: QueueMetrics? = nil, logger: Logger = Logger(label: "job-queue"),
              redisSettings: [String] = []) async throws -> QueueUnderTest {
        let clock = ManualClock()
        let retry = RetryPolicy(jitter: { $0 })
        let defaults = JobQueueDefaults(maxAttempts: maxAttempts, timeout: timeout, retention: retention, maxDeadLetters: maxDeadLetters)
        switch self {
        case .sqlite:
            let path = try Tools.temporaryDirectory("queue") + "/queue.db"
            var migrator = DatabaseMigrator()
            SQLiteQueueSchema.register(in: &migrator)
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return QueueUnderTest(queue: SQLiteJobQueue(pool: pool, defaults: defaults, retry: retry, clock: clock, metrics: metrics, logger: logger),
                                  clock: clock, server: nil, pool: pool, redis: nil)
        case .redis:
            let server = try await RedisServer(settings: redisSettings)
            let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!))  // built from a port number
            return QueueUnderTest(queue: RedisJobQueue(client: client, defaults: defaults, retry: retry, clock: clock, metrics: metrics, logger: logger),
                                  clock: clock, server: server, pool: nil, redis: client)
        }
    }
}

/// A queue under test and what keeps it running; `stop()` ends its server, if it has one.
struct QueueUnderTest {
    let queue: any JobQueue
    let clock: ManualClock
    let server: RedisServer?
    /// The SQLite backend's database, for checks on its tables.
    let pool: DatabasePool?
    /// The Redis backend's client, for checks on its keys.
    let redis: RedisClient?

    func stop() async {
        await server?.stop()
    }
}

func job(_ type: String = "artifact", _ payload: String = "x", priority: JobPriority = .normal, key: String? = nil) -> NewJob {
    NewJob(type: type, payload: Array(payload.utf8), priority: priority, uniqueKey: key)
}
