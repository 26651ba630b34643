import Foundation
import Logging
import NSCore
import NSQueue
import NSRedis
import Prometheus
import Testing

@Suite("job queue retention")
struct QueueRetentionTests {
    @Test("a completed job drops its payload at once; completed and cancelled records go when retention has passed, dead letters stay",
          arguments: Backend.allCases)
    func retention(backend: Backend) async throws {
        let registry = PrometheusCollectorRegistry()
        let subject = try await backend.make(maxAttempts: 1, retention: .seconds(3_600), metrics: QueueMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let queue = subject.queue
        let clock = subject.clock
        let ids = try await queue.enqueue(batch: (0..<4).map { job("artifact", "payload \($0)") }).map(\.id)
        let done = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        try await queue.complete(id: done.id, worker: "w", result: Array("tx".utf8))
        let dead = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        #expect(try await queue.fail(id: dead.id, worker: "w", message: "bad", permanent: true) == .deadLetter)
        #expect(try await queue.cancel(id: ids[2]))

        let completed = try #require(try await queue.job(id: done.id))
        #expect(completed.state == .completed && completed.payload.isEmpty && completed.result == Array("tx".utf8))
        #expect(try await queue.job(id: ids[2])?.payload == Array("payload 2".utf8))

        clock.advance(.seconds(3_599))
        #expect(try await queue.deleteFinished(limit: 100) == 0)
        #expect(try await queue.job(id: done.id) != nil)
        clock.advance(.seconds(1))
        #expect(try await queue.deleteFinished(limit: 100) == 2)
        #expect(try await queue.job(id: done.id) == nil)
        #expect(try await queue.job(id: ids[2]) == nil)
        #expect(try await queue.job(id: dead.id)?.payload == Array("payload 1".utf8))
        #expect(try await queue.job(id: ids[3])?.state == .queued)
        let counts = try await queue.counts()
        #expect(counts.total(.completed) == 0 && counts.total(.cancelled) == 0 && counts.total(.deadLetter) == 1 && counts.total(.queued) == 1)
        #expect(try await queue.jobs(in: .completed, limit: 10, after: nil).isEmpty)
        #expect(try await queue.deleteFinished(limit: 100) == 0)
        #expect(registry.emitToString().contains("ns_jobs_retention_deleted_total 2"), "\(registry.emitToString())")
        await subject.stop()
    }

    @Test("deletion goes in bounded batches, oldest finished first, and leaves what is not yet due", arguments: Backend.allCases)
    func batches(backend: Backend) async throws {
        let subject = try await backend.make(retention: .seconds(1))
        let queue = subject.queue
        let clock = subject.clock
        _ = try await queue.enqueue(batch: (0..<25).map { job("artifact", "\($0)") })
        let early = try await queue.lease(worker: "w", for: .seconds(30), limit: 10)
        #expect(try await queue.complete(early.map { JobCompletion(id: $0.id, worker: "w", result: []) }).isEmpty)
        clock.advance(.seconds(5))
        let late = try await queue.lease(worker: "w", for: .seconds(30), limit: 15)
        #expect(try await queue.complete(late.map { JobCompletion(id: $0.id, worker: "w", result: []) }).isEmpty)

        var sizes: [Int] = []
        while true {
            let deleted = try await queue.deleteFinished(limit: 4)
            sizes.append(deleted)
            if deleted < 4 { break }
        }
        #expect(sizes == [4, 4, 2])
        for leased in early { #expect(try await queue.job(id: leased.id) == nil) }
        for leased in late { #expect(try await queue.job(id: leased.id)?.state == .completed) }
        #expect(try await queue.counts().total(.completed) == 15)
        clock.advance(.seconds(1))
        #expect(try await queue.deleteFinished(limit: 100) == 15)
        #expect(try await queue.counts().total(.completed) == 0)
        await subject.stop()
    }

    @Test("with no retention a job is deleted as it completes or is cancelled", arguments: Backend.allCases)
    func noRetention(backend: Backend) async throws {
        let registry = PrometheusCollectorRegistry()
        let subject = try await backend.make(retention: .zero, metrics: QueueMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let queue = subject.queue
        let ids = try await queue.enqueue(batch: [job(), job(), job()]).map(\.id)
        let leased = try await queue.lease(worker: "w", for: .seconds(30), limit: 2)
        let lost = try await queue.complete(leased.map { JobCompletion(id: $0.id, worker: "w", result: []) } + [JobCompletion(id: ids[2], worker: "w", result: [])])
        #expect(lost == [ids[2]])
        for job in leased { #expect(try await queue.job(id: job.id) == nil) }
        #expect(try await queue.cancel(id: ids[2]))
        #expect(try await queue.job(id: ids[2]) == nil)
        let counts = try await queue.counts()
        #expect(counts.total(.completed) == 0 && counts.total(.cancelled) == 0 && counts.total(.queued) == 0 && counts.total(.processing) == 0)
        #expect(try await queue.lease(worker: "w", for: .seconds(30)) == nil)
        #expect(registry.emitToString().contains("ns_jobs_retention_deleted_total 3"), "\(registry.emitToString())")
        await subject.stop()
    }

    @Test("a unique key still live after its job was deleted answers with that job's id and enqueues nothing", arguments: Backend.allCases)
    func uniqueKeyOutlivesRecord(backend: Backend) async throws {
        let subject = try await backend.make(retention: .seconds(60))
        let queue = subject.queue
        let clock = subject.clock
        let first = try await queue.enqueue(job(key: "user1:sha"))
        let leased = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        try await queue.complete(id: leased.id, worker: "w", result: [])
        clock.advance(.seconds(61))
        #expect(try await queue.deleteFinished(limit: 10) == 1)
        #expect(try await queue.job(id: first.id) == nil)
        let again = try await queue.enqueue(job(key: "user1:sha"))
        #expect(again.id == first.id && again.deduplicated)
        #expect(try await queue.counts().total(.queued) == 0)
        clock.advance(.seconds(86_400))
        #expect(try await queue.enqueue(job(key: "user1:sha")).deduplicated == false)
        await subject.stop()
    }

    @Test("Redis: jobs finished before retention existed are indexed by the first sweep and then deleted")
    func redisUpgrade() async throws {
        let subject = try await Backend.redis.make(retention: .seconds(10))
        let queue = subject.queue
        let redis = try #require(subject.redis)
        let id = try await queue.enqueue(job()).id
        _ = try await queue.lease(worker: "w", for: .seconds(30))
        try await queue.complete(id: id, worker: "w", result: [])
        // As an earlier build left it: in no index, no marker.
        _ = try await redis.command(["ZREM", "{ns}:finished", RedisArgument(id)])
        subject.clock.advance(.seconds(11))
        #expect(try await queue.deleteFinished(limit: 10) == 1)
        #expect(try await queue.job(id: id) == nil)
        #expect(try await redis.command(["EXISTS", "{ns}:finished-indexed"]).int == 1)
        await subject.stop()
    }

    @Test("Redis full (maxmemory, noeviction): the sweep still deletes due records, those of an older build too, and frees room for enqueues")
    func redisFullFreesItself() async throws {
        let subject = try await Backend.redis.make(retention: .seconds(10), redisSettings: ["--maxmemory-policy", "noeviction"])
        let queue = subject.queue
        let redis = try #require(subject.redis)
        let ids = try await queue.enqueue(batch: (0..<200).map { job("artifact", "payload \($0)") }).map(\.id)
        let leased = try await queue.lease(worker: "w", for: .seconds(30), limit: 200)
        #expect(try await queue.complete(leased.map { JobCompletion(id: $0.id, worker: "w", result: Array(repeating: 65, count: 200)) }).isEmpty)
        // Half as a build without retention left them: in no index, and no marker yet.
        _ = try await redis.command(["ZREM", "{ns}:finished"] + ids.prefix(100).map { RedisArgument($0) })
        subject.clock.advance(.seconds(11))

        let used = try await queue.storeUsage().usedBytes
        _ = try await redis.command(["CONFIG", "SET", "maxmemory", RedisArgument(used - 50_000)])
        await #expect(throws: JobQueueError.self) { _ = try await queue.enqueue(job()) }

        var deleted = 0
        for _ in 0..<3 { deleted += try await queue.deleteFinished(limit: 500) }
        #expect(deleted >= 100, "the indexed half goes through the delete script")
        for id in ids { #expect(try await queue.job(id: id) == nil) }
        #expect(try await queue.counts().total(.completed) == 0)
        #expect(try await redis.command(["ZCARD", "{ns}:finished"]).int == 0)
        _ = try await queue.enqueue(job())
        await subject.stop()
    }
}
