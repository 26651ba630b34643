import NSQueue
import ServiceLifecycle

/// The workers' housekeeping: returning expired leases and timed-out attempts to the queue,
/// deleting finished jobs past their retention and refreshing the queue gauges.
extension QueueWorkers {
    /// Runs ``housekeepOnce()`` every second until shutdown.
    func housekeepingLoop() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Throws only when shutdown cuts the pause short; the loop's condition then ends it.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            await housekeepOnce()
        }
    }

    /// One housekeeping round. A store call that fails is retried on the next round, a second
    /// later; each failure is counted and logged once a minute (``InternalErrors``).
    func housekeepOnce() async {
        do {
            let recovered = try await queue.recoverExpired()
            if recovered > 0 { logger.warning("expired leases recovered", metadata: ["count": .stringConvertible(recovered)]) }
        } catch {
            report(.recoverExpired, error)
        }
        await retention.sweep(queue)
        guard let gauges else { return }
        do {
            gauges.record(try await queue.counts())
        } catch {
            report(.readCounts, error)
        }
        do {
            gauges.record(try await queue.storeUsage())
        } catch {
            report(.readStoreUsage, error)
        }
    }

    private func report(_ operation: InternalErrors.Operation, _ error: JobQueueError) {
        // At shutdown the store's call ends with the cancellation: nothing to report.
        guard !Task.isCancelled else { return }
        internalErrors.record(operation, reason: error.description)
    }
}

extension InternalErrors.Operation {
    static let recoverExpired = Self(label: "queue_recover_expired",
                                     message: "expired leases and timed-out attempts could not be returned to the queue; retrying every second")
    static let readCounts = Self(label: "queue_counts", message: "the queue's counts could not be read for its gauges; retrying every second")
    static let readStoreUsage = Self(label: "queue_store_usage",
                                     message: "the queue store's usage could not be read for its gauges; retrying every second")
}
