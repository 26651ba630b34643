import Foundation
import GRDB
import Logging
import NSQueue
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

/// The backends every conformance test runs against. Redis joins this list with its backend.
enum Backend: String, CaseIterable, CustomStringConvertible {
    case sqlite

    var description: String { rawValue }

    /// A fresh queue on a real store, with a manual clock and jitter removed (delays are nominal).
    func make(maxAttempts: Int = 3, timeout: Duration = .seconds(60), maxDeadLetters: Int? = nil, metrics: QueueMetrics? = nil,
              logger: Logger = Logger(label: "job-queue")) throws -> (any JobQueue, ManualClock) {
        let clock = ManualClock()
        let retry = RetryPolicy(jitter: { $0 })
        switch self {
        case .sqlite:
            let path = try Tools.temporaryDirectory("queue") + "/queue.db"
            var migrator = DatabaseMigrator()
            SQLiteQueueSchema.register(in: &migrator)
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return (SQLiteJobQueue(pool: pool, defaults: .init(maxAttempts: maxAttempts, timeout: timeout, maxDeadLetters: maxDeadLetters),
                                   retry: retry, clock: clock, metrics: metrics, logger: logger), clock)
        }
    }
}

func job(_ type: String = "artifact", _ payload: String = "x", priority: JobPriority = .normal, key: String? = nil) -> NewJob {
    NewJob(type: type, payload: Array(payload.utf8), priority: priority, uniqueKey: key)
}
