import Foundation
import GRDB
import Logging
import NSCore
import NSQueue
import NSRedis
import Prometheus
import Testing

@Suite("job queue conformance")
struct QueueConformanceTests {
    @Test("strict priority, FIFO within a priority, lookup by id in every state", arguments: Backend.allCases)
    func priorityOrder(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let low = try await queue.enqueue(job(priority: .low)).id
        let normal1 = try await queue.enqueue(job(priority: .normal)).id
        let critical = try await queue.enqueue(job(priority: .critical)).id
        let normal2 = try await queue.enqueue(job(priority: .normal)).id
        let high = try await queue.enqueue(job(priority: .high)).id
        var order: [String] = []
        while let leased = try await queue.lease(worker: "w", for: .seconds(30)) { order.append(leased.id) }
        #expect(order == [critical, high, normal1, normal2, low])
        let found = try #require(try await queue.job(id: normal2))
        #expect(found.state == .processing && found.attempts == 1 && found.leaseOwner == "w")
        #expect(try await queue.job(id: "job_missing") == nil)
        await subject.stop()
    }

    @Test("jobs are listed by state, oldest first, in pages", arguments: Backend.allCases)
    func listing(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let ids = try await queue.enqueue(batch: (0..<5).map { _ in job() }).map(\.id)
        let first = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        let second = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        try await queue.complete(id: first.id, worker: "w", result: [])
        #expect(try await queue.fail(id: second.id, worker: "w", message: "bad", permanent: true) == .deadLetter)
        let third = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        #expect(try await queue.cancel(id: ids[4]))

        #expect(try await queue.jobs(in: .queued, limit: 10, after: nil).map(\.id) == [ids[3]])
        #expect(try await queue.jobs(in: .processing, limit: 10, after: nil).map(\.id) == [third.id])
        #expect(try await queue.jobs(in: .completed, limit: 10, after: nil).map(\.id) == [first.id])
        #expect(try await queue.jobs(in: .deadLetter, limit: 10, after: nil).map(\.id) == [second.id])
        #expect(try await queue.jobs(in: .cancelled, limit: 10, after: nil).map(\.id) == [ids[4]])
        #expect(try await queue.jobs(in: .retry, limit: 10, after: nil).isEmpty)

        let more = try await queue.enqueue(batch: (0..<4).map { _ in job() }).map(\.id)
        let page1 = try await queue.jobs(in: .queued, limit: 3, after: nil).map(\.id)
        let page2 = try await queue.jobs(in: .queued, limit: 3, after: page1.last).map(\.id)
        #expect(page1 + page2 == [ids[3]] + more)
        await subject.stop()
    }

    @Test("a batch is all or nothing: one invalid job enqueues none", arguments: Backend.allCases)
    func batchAtomicity(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        await #expect(throws: JobQueueError.invalid(index: 1, reason: "type must be 1 to 128 characters")) {
            _ = try await queue.enqueue(batch: [job(), job(""), job()])
        }
        #expect(try await queue.counts().total(.queued) == 0)
        let receipts = try await queue.enqueue(batch: [job(), job(), job()])
        #expect(Set(receipts.map(\.id)).count == 3)
        #expect(try await queue.counts().total(.queued) == 3)
        await subject.stop()
    }

    @Test("a unique key returns the first job within its TTL and enqueues nothing", arguments: Backend.allCases)
    func uniqueKeys(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        let first = try await queue.enqueue(job(key: "user1:abc"))
        let again = try await queue.enqueue(job(key: "user1:abc"))
        #expect(!first.deduplicated && again.deduplicated && again.id == first.id)
        #expect(try await queue.counts().total(.queued) == 1)
        clock.advance(.seconds(86_401))
        let later = try await queue.enqueue(job(key: "user1:abc"))
        #expect(!later.deduplicated && later.id != first.id)
        if let pool = subject.pool {
            // Housekeeping deletes keys past their TTL, so the table does not grow forever.
            clock.advance(.seconds(86_401))
            _ = try await queue.recoverExpired()
            #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM unique_keys") } == 0)
        }
        await subject.stop()
    }

    @Test("concurrent workers never hold the same job", arguments: Backend.allCases)
    func exclusiveLeases(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        _ = try await queue.enqueue(batch: (0..<200).map { job("t", "\($0)") })
        let leased = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await queue.lease(worker: "w\(worker)", for: .seconds(30)) { mine.append(job.id) }
                    return mine
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(leased.count == 200)
        #expect(Set(leased).count == 200)
        await subject.stop()
    }

    @Test("a batched lease hands out up to its limit in priority order, each job leased on its own", arguments: Backend.allCases)
    func batchedLease(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let low = try await queue.enqueue(job(priority: .low)).id
        let normal = try await queue.enqueue(batch: [job(), job(), job()]).map(\.id)
        let critical = try await queue.enqueue(job(priority: .critical)).id

        let first = try await queue.lease(worker: "a", for: .seconds(30), limit: 3)
        #expect(first.map(\.id) == [critical, normal[0], normal[1]])
        #expect(first.allSatisfy { $0.state == .processing && $0.attempts == 1 && $0.leaseOwner == "a" })
        let second = try await queue.lease(worker: "b", for: .seconds(30), limit: 10)
        #expect(second.map(\.id) == [normal[2], low], "no job is handed to two workers")
        #expect(try await queue.lease(worker: "c", for: .seconds(30), limit: 10).isEmpty)
        #expect(try await queue.lease(worker: "c", for: .seconds(30), limit: 0).isEmpty)
        #expect(try await queue.heartbeat(id: first[1].id, worker: "a", for: .seconds(30)))
        #expect(try await !queue.heartbeat(id: first[1].id, worker: "b", for: .seconds(30)))

        _ = try await queue.enqueue(job())
        try await queue.setPaused(true)
        #expect(try await queue.lease(worker: "c", for: .seconds(30), limit: 10).isEmpty, "a paused queue hands out nothing")
        await subject.stop()
    }

    @Test("a batched completion completes the jobs the worker holds and names the ones it lost", arguments: Backend.allCases)
    func batchedCompletion(backend: Backend) async throws {
        let registry = PrometheusCollectorRegistry()
        let subject = try await backend.make(metrics: QueueMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let queue = subject.queue
        _ = try await queue.enqueue(batch: (0..<4).map { job("artifact", "\($0)") })
        let held = try await queue.lease(worker: "a", for: .seconds(30), limit: 3)
        let other = try #require(try await queue.lease(worker: "b", for: .seconds(30)))
        #expect(held.count == 3)

        let lost = try await queue.complete([
            JobCompletion(id: held[0].id, worker: "a", result: Array("r0".utf8)),
            JobCompletion(id: other.id, worker: "a", result: []),
            JobCompletion(id: held[2].id, worker: "a", result: Array("r2".utf8)),
            JobCompletion(id: "job_missing", worker: "a", result: []),
        ])
        #expect(lost == [other.id, "job_missing"])
        #expect(try await queue.job(id: held[0].id)?.result == Array("r0".utf8))
        #expect(try await queue.job(id: held[2].id)?.state == .completed)
        #expect(try await queue.job(id: held[1].id)?.state == .processing, "a job left out of the batch stays leased")
        let untouched = try #require(try await queue.job(id: other.id))
        #expect(untouched.state == .processing && untouched.leaseOwner == "b", "another worker's job is left as it is")
        #expect(try await queue.complete([]).isEmpty)
        await #expect(throws: JobQueueError.leaseLost(id: other.id)) {
            try await queue.complete(id: other.id, worker: "a", result: [])
        }
        #expect(registry.emitToString().contains(#"ns_jobs_completed_total{type="artifact"} 2"#))
        await subject.stop()
    }

    @Test("large batches: 2,500 jobs leased and completed in a few calls, counts kept exact", arguments: Backend.allCases)
    func largeBatches(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        _ = try await queue.enqueue(batch: (0..<2_500).map { job("t", "\($0)") })
        var held: [Job] = []
        while case let more = try await queue.lease(worker: "w", for: .seconds(30), limit: 5_000), !more.isEmpty { held += more }
        #expect(held.count == 2_500 && Set(held.map(\.id)).count == 2_500)
        #expect(try await queue.complete(held.map { JobCompletion(id: $0.id, worker: "w", result: []) }).isEmpty)
        let counts = try await queue.counts()
        #expect(counts.total(.completed) == 2_500 && counts.total(.processing) == 0 && counts.total(.queued) == 0)
        await subject.stop()
    }

    @Test("Redis: a job whose hash was deleted by hand is skipped, and the rest of its batch is leased")
    func missingJobHash() async throws {
        let subject = try await Backend.redis.make()
        let server = try #require(subject.server)
        let ids = try await subject.queue.enqueue(batch: (0..<3).map { job("t", "\($0)") }).map(\.id)
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!))  // built from a port number
        _ = try await client.command(["DEL", RedisArgument("{ns}:job:" + ids[1])])
        let leased = try await subject.queue.lease(worker: "w", for: .seconds(30), limit: 10)
        #expect(leased.map(\.id) == [ids[0], ids[2]])
        #expect(try await subject.queue.counts().total(.processing) == 2)
        #expect(try await subject.queue.lease(worker: "w", for: .seconds(30), limit: 10).isEmpty)
        await client.shutdown()
        await subject.stop()
    }

    @Test("concurrent enqueues are all stored (group commit) and each gets its own id", arguments: Backend.allCases)
    func concurrentEnqueues(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<300 { group.addTask { try await queue.enqueue(job("t", "\(index)")).id } }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 300)
        #expect(try await queue.counts().total(.queued) == 300)
        for id in ids.prefix(20) { #expect(try await queue.job(id: id)?.state == .queued) }
        await subject.stop()
    }

    @Test("backoff doubles from 1 s to a 30 s cap; after max attempts the job is dead-lettered with its history", arguments: Backend.allCases)
    func backoffAndDeadLetter(backend: Backend) async throws {
        let subject = try await backend.make(maxAttempts: 7)
        let queue = subject.queue
        let clock = subject.clock
        let id = try await queue.enqueue(job()).id
        var delays: [Int64] = []
        for attempt in 1...7 {
            let leased = try #require(try await queue.lease(worker: "w", for: .seconds(30)), "attempt \(attempt)")
            #expect(leased.id == id && leased.attempts == attempt)
            let state = try await queue.fail(id: id, worker: "w", message: "boom \(attempt)", permanent: false)
            let stored = try #require(try await queue.job(id: id))
            if attempt < 7 {
                #expect(state == .retry)
                delays.append(stored.runAt - clock.nowMs())
                #expect(try await queue.lease(worker: "w", for: .seconds(30)) == nil, "not before its backoff")
                clock.advance(.milliseconds(stored.runAt - clock.nowMs()))
            } else {
                #expect(state == .deadLetter)
                #expect(stored.errors.map(\.message) == (1...7).map { "boom \($0)" })
            }
        }
        #expect(delays == [1_000, 2_000, 4_000, 8_000, 16_000, 30_000])
        await subject.stop()
    }

    @Test("jitter keeps a retry between half and all of the nominal delay")
    func jitterRange() {
        let policy = RetryPolicy()
        for attempt in 1...8 {
            let nominal = policy.nominalDelayMs(afterAttempt: attempt)
            for _ in 0..<50 { #expect((nominal / 2...nominal).contains(policy.delayMs(afterAttempt: attempt))) }
        }
    }

    @Test("a permanent failure goes straight to the dead-letter queue", arguments: Backend.allCases)
    func permanentFailure(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let id = try await queue.enqueue(job()).id
        _ = try await queue.lease(worker: "w", for: .seconds(30))
        #expect(try await queue.fail(id: id, worker: "w", message: "invalid tx", permanent: true) == .deadLetter)
        #expect(try await queue.job(id: id)?.attempts == 1)
        await subject.stop()
    }

    @Test("an expired lease is recovered as a failed attempt, and the old worker can no longer complete", arguments: Backend.allCases)
    func leaseRecovery(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        let id = try await queue.enqueue(job()).id
        _ = try await queue.lease(worker: "dead-worker", for: .seconds(5))
        clock.advance(.seconds(3))
        #expect(try await queue.heartbeat(id: id, worker: "dead-worker", for: .seconds(5)))
        clock.advance(.seconds(4))
        #expect(try await queue.recoverExpired() == 0, "the heartbeat extended the lease")
        clock.advance(.seconds(2))
        #expect(try await queue.recoverExpired() == 1)
        let recovered = try #require(try await queue.job(id: id))
        #expect(recovered.state == .retry && recovered.attempts == 1)
        #expect(recovered.errors.last?.worker == "dead-worker")
        await #expect(throws: JobQueueError.leaseLost(id: id)) { try await queue.complete(id: id, worker: "dead-worker", result: []) }
        #expect(try await !queue.heartbeat(id: id, worker: "dead-worker", for: .seconds(5)))
        clock.advance(.seconds(1))
        let retried = try #require(try await queue.lease(worker: "w2", for: .seconds(5)))
        #expect(retried.id == id && retried.attempts == 2)
        try await queue.complete(id: id, worker: "w2", result: Array("done".utf8))
        #expect(try await queue.job(id: id)?.state == .completed)
        #expect(try await queue.job(id: id)?.result == Array("done".utf8))
        await subject.stop()
    }

    @Test("an attempt past the job's timeout fails as a timeout even while heartbeating", arguments: Backend.allCases)
    func jobTimeout(backend: Backend) async throws {
        let subject = try await backend.make(timeout: .seconds(10))
        let queue = subject.queue
        let clock = subject.clock
        let id = try await queue.enqueue(job()).id
        _ = try await queue.lease(worker: "w", for: .seconds(5))
        for _ in 0..<2 {
            clock.advance(.seconds(4))
            #expect(try await queue.heartbeat(id: id, worker: "w", for: .seconds(5)))
        }
        clock.advance(.seconds(1))
        #expect(try await queue.recoverExpired() == 0, "9 s into a 10 s attempt whose lease runs to 13 s")
        clock.advance(.seconds(1))
        #expect(try await queue.heartbeat(id: id, worker: "w", for: .seconds(5)), "the lease itself still holds")
        #expect(try await queue.recoverExpired() == 1)
        #expect(try await queue.job(id: id)?.errors.last?.message == "timed out after 10000 ms")
        await subject.stop()
    }

    @Test("dead-letter list, retry (history kept, attempts reset) and purge", arguments: Backend.allCases)
    func deadLetterQueue(backend: Backend) async throws {
        let subject = try await backend.make(maxAttempts: 1)
        let queue = subject.queue
        let clock = subject.clock
        var ids: [String] = []
        for index in 0..<5 {
            let id = try await queue.enqueue(job(index < 3 ? "artifact" : "code", "\(index)")).id
            _ = try await queue.lease(worker: "w", for: .seconds(30))
            _ = try await queue.fail(id: id, worker: "w", message: "failed \(index)", permanent: false)
            ids.append(id)
            clock.advance(.seconds(10))
        }
        #expect(try await queue.deadLetters(type: nil, limit: 10, after: nil).map(\.id) == ids)
        #expect(try await queue.deadLetters(type: "code", limit: 10, after: nil).map(\.id) == Array(ids[3...]))
        #expect(try await queue.deadLetters(type: nil, limit: 2, after: ids[1]).map(\.id) == Array(ids[2...3]))

        #expect(try await queue.retryDeadLetters(.ids([ids[0]])) == 1)
        let retried = try #require(try await queue.job(id: ids[0]))
        #expect(retried.state == .queued && retried.attempts == 0 && retried.errors.map(\.message) == ["failed 0"])

        #expect(try await queue.purgeDeadLetters(.olderThan(clock.nowMs() - 35_000)) == 1)  // only the second one is that old
        #expect(try await queue.job(id: ids[1]) == nil)
        #expect(try await queue.retryDeadLetters(.all(type: "code")) == 2)
        #expect(try await queue.purgeDeadLetters(.all(type: nil)) == 1)
        #expect(try await queue.counts().total(.deadLetter) == 0)
        await subject.stop()
    }

    @Test("cancel a queued or retrying job only", arguments: Backend.allCases)
    func cancel(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let queued = try await queue.enqueue(job()).id
        #expect(try await queue.cancel(id: queued))
        #expect(try await queue.job(id: queued)?.state == .cancelled)
        let running = try await queue.enqueue(job()).id
        _ = try await queue.lease(worker: "w", for: .seconds(30))
        #expect(try await !queue.cancel(id: running))
        #expect(try await queue.lease(worker: "w", for: .seconds(30)) == nil, "a cancelled job is never handed out")
        await subject.stop()
    }

    @Test("pause stops leasing, resume restarts it; counts per state and priority; oldest queued age", arguments: Backend.allCases)
    func pauseAndCounts(backend: Backend) async throws {
        let subject = try await backend.make()
        let queue = subject.queue
        let clock = subject.clock
        _ = try await queue.enqueue(batch: [job(priority: .high), job(priority: .low), job(priority: .low)])
        clock.advance(.seconds(7))
        try await queue.setPaused(true)
        #expect(try await queue.isPaused())
        #expect(try await queue.lease(worker: "w", for: .seconds(30)) == nil)
        try await queue.setPaused(false)
        #expect(try await queue.lease(worker: "w", for: .seconds(30))?.priority == .high)
        let counts = try await queue.counts()
        #expect(counts.byState[.queued] == [.low: 2])
        #expect(counts.byState[.processing] == [.high: 1])
        #expect(counts.oldestQueuedAgeMs == 7_000)
        await subject.stop()
    }

    @Test("a capped dead-letter queue evicts its oldest entries, counting and logging each", arguments: Backend.allCases)
    func deadLetterCap(backend: Backend) async throws {
        let registry = PrometheusCollectorRegistry()
        let sink = LogSink(standardOutput: false, capture: true)
        let logger = Logger(label: "vp-node") { JSONLogHandler(service: $0, level: .info, sink: sink) }
        let subject = try await backend.make(maxAttempts: 1, maxDeadLetters: 2, metrics: QueueMetrics(factory: PrometheusMetricsFactory(registry: registry)),
                                             logger: logger)
        let queue = subject.queue
        let clock = subject.clock
        var ids: [String] = []
        for index in 0..<4 {
            let id = try await queue.enqueue(job("artifact", "\(index)")).id
            _ = try await queue.lease(worker: "w", for: .seconds(30))
            _ = try await queue.fail(id: id, worker: "w", message: "no", permanent: false)
            ids.append(id)
            clock.advance(.seconds(1))
        }
        #expect(try await queue.deadLetters(type: nil, limit: 10, after: nil).map(\.id) == Array(ids.suffix(2)))
        #expect(try await queue.job(id: ids[0]) == nil)
        let text = registry.emitToString()
        #expect(text.contains("ns_jobs_dead_letter_evicted_total 2"), "\(text)")
        #expect(text.contains(#"ns_jobs_dead_lettered_total{type="artifact"} 4"#))
        let evictions = sink.capturedLines.filter { $0.contains("evicted") }
        #expect(evictions.count == 2)
        #expect(evictions.first?.contains(ids[0]) == true && evictions.last?.contains(ids[1]) == true)
        await subject.stop()
    }
}
