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

    /// A failing sweep is counted and logged there, once a minute: it repeats every second until fixed.
    private let internalErrors: InternalErrors

    init(internalErrors: InternalErrors) {
        self.internalErrors = internalErrors
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
        internalErrors.record(.retentionSweep, reason: error.description)
    }
}

extension InternalErrors.Operation {
    static let retentionSweep = Self(label: "queue_retention", message: "finished jobs could not be deleted; retrying every second")
}
