/// At most `limit` callers inside `run` at once; the others wait their turn in arrival order.
///
/// vp-node leases jobs in batches and works on a batch's jobs together, but code snippets must
/// not multiply with the batch size: the sandbox runs at most `JOB_QUEUE_WORKERS` of them at a
/// time, as when each worker held one job. A wait can be bounded (a job must not wait out its own
/// timeout in the line) and ends at once when the waiting task is cancelled (shutdown).
actor ConcurrencyLimit {
    /// No slot came free within the time the caller allowed.
    struct Busy: Error {}

    private let limit: Int
    private var running = 0
    /// Waiters in arrival order; each is resumed with `true` when handed a slot, `false` when it
    /// gave up (its wait bound passed, or its task was cancelled).
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter: UInt64 = 0

    init(_ limit: Int) {
        precondition(limit > 0, "a concurrency limit must allow at least one caller")
        self.limit = limit
    }

    /// Slots taken right now.
    var taken: Int { running }

    /// Runs `body` once a slot is free. Throws ``Busy`` when none came free within
    /// `waitingAtMost` (`nil`: wait as long as it takes), and `CancellationError` when the task is
    /// cancelled while waiting.
    func run<T: Sendable>(waitingAtMost bound: Duration? = nil, _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(waitingAtMost: bound)
        defer { release() }
        return try await body()
    }

    private func acquire(waitingAtMost bound: Duration?) async throws {
        try Task.checkCancellation()
        if running < limit {
            running += 1
            return
        }
        if let bound, bound <= .zero { throw Busy() }
        nextWaiter += 1
        let id = nextWaiter
        let timer = bound.map { wait in
            Task { [weak self] in
                try await Task.sleep(for: wait)
                await self?.giveUp(id)
            }
        }
        defer { timer?.cancel() }
        // The waiter is appended before this actor runs anything else, so a give-up scheduled by
        // the timer or the cancellation handler always finds it (or finds it already served).
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { waiting.append((id, $0)) }
        } onCancel: {
            Task { await self.giveUp(id) }
        }
        // A granted slot was handed over by `release`, which left `running` as it was.
        guard granted else { throw Task.isCancelled ? CancellationError() : Busy() }
    }

    private func giveUp(_ id: UInt64) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(returning: false)
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().continuation.resume(returning: true)
        }
    }
}
