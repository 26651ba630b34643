import Foundation
import NSQueue
import Testing

/// What a job record holds at each step, and how concurrent enqueues that share a store call keep
/// each caller's batch and receipts apart. Both backends; the Redis one stores only non-default
/// fields and answers leases with a compact reply, so these pin its reads to the SQLite ones.
@Suite("job records and shared enqueue calls")
struct QueueJobRecordTests {
    @Test("a job reads the same from its lease as from a lookup, at every step", arguments: Backend.allCases)
    func recordAtEachStep(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        let created = clock.nowMs()
        let id = try await queue.enqueue(NewJob(type: "artifact", payload: [0, 1, 2, 255], priority: .high, uniqueKey: "user:42")).id

        let fresh = try #require(try await queue.job(id: id))
        #expect(fresh.state == .queued && fresh.attempts == 0 && fresh.maxAttempts == 3 && fresh.timeoutMs == 60_000)
        #expect(fresh.createdAt == created && fresh.updatedAt == created && fresh.runAt == created)
        #expect(fresh.leaseOwner == nil && fresh.leaseExpiresAt == nil && fresh.result == nil && fresh.errors.isEmpty)
        #expect(fresh.uniqueKey == "user:42" && fresh.payload == [0, 1, 2, 255] && fresh.priority == .high)

        clock.advance(.seconds(2))
        let first = try #require(try await queue.lease(worker: "w1", for: .seconds(30)))
        #expect(first == (try await queue.job(id: id)))
        #expect(first.attempts == 1 && first.leaseOwner == "w1" && first.leaseExpiresAt == clock.nowMs() + 30_000)
        #expect(first.updatedAt == clock.nowMs() && first.runAt == created)

        #expect(try await queue.fail(id: id, worker: "w1", message: "ns-node unreachable", permanent: false) == .retry)
        let waiting = try #require(try await queue.job(id: id))
        #expect(waiting.leaseOwner == nil && waiting.leaseExpiresAt == nil && waiting.errors.map(\.worker) == ["w1"])
        clock.advance(.milliseconds(waiting.runAt - clock.nowMs()))
        let second = try #require(try await queue.lease(worker: "w2", for: .seconds(10)))
        #expect(second == (try await queue.job(id: id)))
        #expect(second.attempts == 2 && second.runAt == waiting.runAt && second.errors.map(\.message) == ["ns-node unreachable"])

        clock.advance(.seconds(1))
        try await queue.complete(id: id, worker: "w2", result: Array("tx".utf8))
        let done = try #require(try await queue.job(id: id))
        #expect(done.state == .completed && done.result == Array("tx".utf8) && done.updatedAt == clock.nowMs())
        #expect(done.leaseOwner == nil && done.leaseExpiresAt == nil, "a finished job has no lease")
        #expect(done.attempts == 2 && done.errors.count == 1 && done.uniqueKey == "user:42" && done.createdAt == created)
        await subject.stop()
    }

    @Test("concurrent batches sharing store calls: each caller gets its own receipts in order, unique keys hold across callers", arguments: Backend.allCases)
    func sharedEnqueueCalls(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let callers = 40
        let answers = try await withThrowingTaskGroup(of: (Int, [EnqueueReceipt]).self) { group in
            for caller in 0..<callers {
                group.addTask {
                    let batch = [job("first", "\(caller)"), job("shared", "\(caller)", key: "one-for-all"), job("last", "\(caller)", key: "own-\(caller)")]
                    return (caller, try await queue.enqueue(batch: batch))
                }
            }
            // A batch over the Redis script's 1,000-job packing limit, among the small ones.
            group.addTask { (-1, try await queue.enqueue(batch: (0..<1_200).map { job("bulk", "\($0)") })) }
            var answers: [Int: [EnqueueReceipt]] = [:]
            for try await (caller, receipts) in group { answers[caller] = receipts }
            return answers
        }

        #expect(answers[-1]?.count == 1_200 && Set(answers[-1]?.map(\.id) ?? []).count == 1_200)
        let shared = (0..<callers).compactMap { answers[$0]?[1] }
        #expect(shared.count == callers && shared.filter { !$0.deduplicated }.count == 1, "one caller stores the shared job")
        #expect(Set(shared.map(\.id)).count == 1, "every caller is answered with that one job")
        for caller in 0..<callers {
            let receipts = try #require(answers[caller])
            #expect(receipts.count == 3 && !receipts[0].deduplicated && !receipts[2].deduplicated)
            let first = try #require(try await queue.job(id: receipts[0].id))
            let last = try #require(try await queue.job(id: receipts[2].id))
            #expect(first.type == "first" && first.payload == Array("\(caller)".utf8), "caller \(caller)'s first receipt is its own first job")
            #expect(last.type == "last" && last.uniqueKey == "own-\(caller)")
        }
        #expect(try await queue.counts().total(.queued) == 1_200 + 2 * callers + 1)
        await subject.stop()
    }
}
