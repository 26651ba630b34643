import Foundation
import NSQueue
import NSRedis
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

    @Test("a repeated unique key within one batch answers with the batch's first job; a unique key needs a TTL of at least 1 ms", arguments: Backend.allCases)
    func uniqueKeysWithinBatch(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let receipts = try await queue.enqueue(batch: [job(key: "a"), job(key: "a"), job(key: "b")])
        #expect(receipts.map(\.deduplicated) == [false, true, false] && receipts[1].id == receipts[0].id && receipts[2].id != receipts[0].id)
        #expect(try await queue.lease(worker: "w", for: .seconds(30), limit: 10).map(\.id) == [receipts[0].id, receipts[2].id])

        let noTTL = NewJob(type: "artifact", payload: [1], uniqueKey: "c", uniqueKeyTTL: .zero)
        await #expect(throws: JobQueueError.invalid(index: 1, reason: "uniqueKeyTTL must be at least 1 ms")) {
            _ = try await queue.enqueue(batch: [job(), noTTL])
        }
        let counts = try await queue.counts()
        #expect(counts.total(.queued) == 0 && counts.total(.processing) == 2, "the refused batch stored nothing")
        await subject.stop()
    }

    @Test("Redis: an unreadable unique-key entry is replaced, and the job is stored whole and leasable")
    func unreadableUniqueKey() async throws {
        let subject = try await Backend.redis.make()
        let server = try #require(subject.server)
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!))  // built from a port number
        _ = try await client.command(["SET", "{ns}:unique:k", "no separator"])
        let receipt = try await subject.queue.enqueue(job(key: "k"))
        #expect(!receipt.deduplicated)
        #expect(try await subject.queue.lease(worker: "w", for: .seconds(30))?.id == receipt.id)
        #expect(try await subject.queue.enqueue(job(key: "k")).id == receipt.id, "the key now names the stored job")
        await client.shutdown()
        await subject.stop()
    }
}
