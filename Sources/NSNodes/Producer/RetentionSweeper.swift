import Logging
import NSQueue
import Synchronization

/// Deletes finished jobs whose retention (`JOB_RETENTION_MS`) has passed, from vp-node's
/// housekeeping loop, once a second.
///
/// Each pass deletes in batches of ``batch`` (one bounded store call each: a transaction on
/// SQLite, a script on Redis) until a batch comes back short, so enqueues, leases and
/// completions run between batches rather than wait behind one long deletion. ``maxBatches``
/// bounds a pass: at 200 × 500 a second it keeps up with far more than the gateway can accept,
/// and a backlog (after an upgrade, or a long outage of the sweep) drains over several passes.
///
/// Several vp-nodes sharing a queue each sweep it; a job is deleted once, by whichever comes
/// first, since every deletion is atomic in the store.
final class RetentionSweeper: Sendable {
    static let batch = 500
    static let maxBatches = 200
    /// How often a failing sweep is logged: the reason repeats every second until it is fixed.
    static let logInterval = Duration.seconds(60)

    private let logger: Logger
    private let lastLogged = Mutex<ContinuousClock.Instant?>(nil)

    init(logger: Logger) {
        self.logger = logger
    }

    /// One pass; returns how many records it deleted.
    @discardableResult
    func sweep(_ queue: any JobQueue) async -> Int {
        var deleted = 0
        for _ in 0..<Self.maxBatches {
            do {
                let count = try await queue.deleteFinished(limit: Self.batch)
                deleted += count
                if count < Self.batch { break }
            } catch {
                // At shutdown the store's call ends with the cancellation: nothing to report.
                if !Task.isCancelled { report(error) }
                break
            }
            await Task.yield()
        }
        return deleted
    }

    private func report(_ error: JobQueueError) {
        let now = ContinuousClock.now
        let due = lastLogged.withLock { last in
            guard last.map({ now - $0 >= Self.logInterval }) ?? true else { return false }
            last = now
            return true
        }
        if due {
            logger.warning("finished jobs could not be deleted; retrying every second (logged once a minute)",
                           metadata: ["reason": .string(error.description)])
        }
    }
}
