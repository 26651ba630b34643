/// At most `limit` callers inside `run` at once; the others wait their turn in arrival order.
///
/// vp-node leases jobs in batches and works on a batch's jobs together, but code snippets must
/// not multiply with the batch size: the sandbox runs at most `JOB_QUEUE_WORKERS` of them at a
/// time, as when each worker held one job.
actor ConcurrencyLimit {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) {
        precondition(limit > 0, "a concurrency limit must allow at least one caller")
        self.limit = limit
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        guard running >= limit else {
            running += 1
            return
        }
        // The slot is handed over by `release`, which leaves `running` as it is.
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
