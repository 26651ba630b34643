/// Lets concurrent enqueues share one durable commit.
///
/// Each submission waits; whoever finds no commit in progress starts one that takes everything
/// pending, writes it in one transaction (each submission in its own savepoint, so one bad
/// submission fails alone), and answers each. Submissions that arrive meanwhile form the next
/// commit. With N concurrent producers the queue pays about one fsync per N enqueues instead of N.
actor GroupCommitter<Unit: Sendable, Answer: Sendable> {
    typealias Outcome = Result<Answer, JobQueueError>

    private var pending: [(unit: Unit, continuation: CheckedContinuation<Outcome, Never>)] = []
    private var committing = false
    private let commit: @Sendable ([Unit]) async -> [Outcome]

    /// `commit` must return one outcome per unit, in order.
    init(commit: @escaping @Sendable ([Unit]) async -> [Outcome]) {
        self.commit = commit
    }

    func submit(_ unit: Unit) async -> Outcome {
        await withCheckedContinuation { continuation in
            pending.append((unit, continuation))
            if !committing {
                committing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let outcomes = await commit(batch.map(\.unit))
            for (entry, outcome) in zip(batch, outcomes) { entry.continuation.resume(returning: outcome) }
        }
        committing = false
    }
}
