import NSQueue
import Testing

/// What counts as queued when a retry's time has come but no worker has taken it yet: it is
/// still a retry. The Redis backend keeps such a job in the same ordered set as queued jobs (and
/// ahead of them), so the listing and the oldest-queued age must look past it.
@Suite("queued jobs next to retries that are due")
struct QueuedJobsTests {
    @Test("the queued listing and the oldest queued age skip a due retry sitting ahead of the queued jobs", arguments: Backend.allCases)
    func dueRetryIsNotQueued(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        let first = try await queue.enqueue(job(priority: .low)).id
        clock.advance(.seconds(1))
        let second = try await queue.enqueue(job(priority: .low)).id
        #expect(try await queue.lease(worker: "w", for: .seconds(30))?.id == first)
        #expect(try await queue.fail(id: first, worker: "w", message: "flaky", permanent: false) == .retry)
        clock.advance(.seconds(2))
        // The lease makes the retry due (on Redis: moves it into `ready`) but hands out the
        // critical job instead, so the retry stays behind, in front of `second`.
        let urgent = try await queue.enqueue(job(priority: .critical)).id
        #expect(try await queue.lease(worker: "w", for: .seconds(30))?.id == urgent)

        #expect(try await queue.jobs(in: .queued, limit: 10, after: nil).map(\.id) == [second])
        #expect(try await queue.jobs(in: .retry, limit: 10, after: nil).map(\.id) == [first])
        let counts = try await queue.counts()
        #expect(counts.byState[.retry] == [.low: 1])
        #expect(counts.byState[.queued] == [.low: 1])
        #expect(counts.oldestQueuedAgeMs == 2_000, "the second job's age, not the older retry's")

        #expect(try await queue.lease(worker: "w", for: .seconds(30))?.id == first, "the due retry goes first")
        #expect(try await queue.counts().oldestQueuedAgeMs == 2_000)
        #expect(try await queue.lease(worker: "w", for: .seconds(30))?.id == second)
        #expect(try await queue.counts().oldestQueuedAgeMs == nil)
        await subject.stop()
    }

    @Test("the oldest queued age is the oldest across priorities, whichever band it is in", arguments: Backend.allCases)
    func oldestAcrossPriorities(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        _ = try await queue.enqueue(job(priority: .low))
        clock.advance(.seconds(3))
        _ = try await queue.enqueue(batch: [job(priority: .critical), job(priority: .normal)])
        clock.advance(.seconds(1))
        #expect(try await queue.counts().oldestQueuedAgeMs == 4_000)
        await subject.stop()
    }
}
