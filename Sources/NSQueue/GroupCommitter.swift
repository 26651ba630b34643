/// Lets concurrent enqueues share one durable commit.
///
/// Each submission waits; whoever finds no commit in progress starts one that takes everything
/// pending, writes it in one transaction (each submission in its own savepoint, so one bad
/// submission fails alone), and answers each. Submissions that arrive meanwhile form the next
/// commit. With N concurrent producers the queue pays about one fsync per N enqueues instead of N.
///
/// `maxInFlight` above 1 lets that many commits run at once (for a server such as Redis that
/// takes the next call while answering the last); each still takes everything pending when it
/// starts, and a submission's units always stay together in one commit.
actor GroupCommitter<Unit: Sendable, Answer: Sendable> {
    typealias Outcome = Result<Answer, JobQueueError>

    private var pending: [(unit: Unit, continuation: CheckedContinuation<Outcome, Never>)] = []
    private var committing = 0
    private let maxInFlight: Int
    private let commit: @Sendable ([Unit]) async -> [Outcome]

    /// `commit` must return one outcome per unit, in order.
    init(maxInFlight: Int = 1, commit: @escaping @Sendable ([Unit]) async -> [Outcome]) {
        self.maxInFlight = max(1, maxInFlight)
        self.commit = commit
    }

    func submit(_ unit: Unit) async -> Outcome {
        await withCheckedContinuation { continuation in
            pending.append((unit, continuation))
            if committing < maxInFlight {
                committing += 1
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let outcomes = await commit(batch.map(\.unit))
            // Every submitter is answered, even if a commit broke its contract: a missing
            // outcome would otherwise leave its caller waiting forever.
            for (index, entry) in batch.enumerated() {
                entry.continuation.resume(returning: index < outcomes.count ? outcomes[index]
                    : .failure(.unavailable("the store answered \(outcomes.count) of \(batch.count) submissions in one commit")))
            }
        }
        committing -= 1
    }
}
