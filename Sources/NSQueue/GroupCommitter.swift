import Synchronization

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
///
/// The pending list sits behind a lock rather than in an actor: a submission only appends to it,
/// so no submitter ever waits for a commit's bookkeeping (with an actor, every submission queued
/// behind the loop that answers the previous commit).
final class GroupCommitter<Unit: Sendable, Answer: Sendable>: Sendable {
    typealias Outcome = Result<Answer, JobQueueError>

    private struct State {
        var pending: [(unit: Unit, continuation: CheckedContinuation<Outcome, Never>)] = []
        var committing = 0
    }

    private let state = Mutex(State())
    private let maxInFlight: Int
    private let commit: @Sendable ([Unit]) async -> [Outcome]

    /// `commit` must return one outcome per unit, in order.
    init(maxInFlight: Int = 1, commit: @escaping @Sendable ([Unit]) async -> [Outcome]) {
        self.maxInFlight = max(1, maxInFlight)
        self.commit = commit
    }

    func submit(_ unit: Unit) async -> Outcome {
        await withCheckedContinuation { continuation in
            let startsCommit = state.withLock { state in
                state.pending.append((unit, continuation))
                guard state.committing < maxInFlight else { return false }
                state.committing += 1
                return true
            }
            if startsCommit { Task { await self.drain() } }
        }
    }

    /// Commits what is pending until nothing is, then gives up its in-flight slot (under the same
    /// lock that a submission checks, so a submission never finds the slot taken by a drain that
    /// has already decided to stop).
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                if state.pending.isEmpty { state.committing -= 1 }
                defer { state.pending = [] }
                return state.pending
            }
            if batch.isEmpty { return }
            let outcomes = await commit(batch.map(\.unit))
            // Every submitter is answered, even if a commit broke its contract: a missing
            // outcome would otherwise leave its caller waiting forever.
            for (index, entry) in batch.enumerated() {
                entry.continuation.resume(returning: index < outcomes.count ? outcomes[index]
                    : .failure(.unavailable("the store answered \(outcomes.count) of \(batch.count) submissions in one commit")))
            }
        }
    }
}
