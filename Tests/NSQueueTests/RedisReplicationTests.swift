import Foundation
import NSCore
import NSQueue
import NSRedis
import NSTestSupport
import Prometheus
import Testing

/// `REDIS_MIN_REPLICAS` against a real master and a real replica, the replica stopped with SIGSTOP
/// where it must fail to confirm.
@Suite("Redis queue with REDIS_MIN_REPLICAS")
struct RedisReplicationTests {
    static let waitTimeout: Duration = .milliseconds(500)

    /// A queue on `server` requiring `replicas`; its client's deadline leaves room for the WAIT.
    static func queue(on server: RedisServer, replicas: Int, metrics: QueueMetrics? = nil) throws -> RedisJobQueue {
        let configuration = try RedisConfiguration(url: URL(string: server.url)!, commandTimeout: .seconds(2) + waitTimeout)  // built from a port number
        return RedisJobQueue(client: RedisClient(configuration: configuration), metrics: metrics,
                             replication: RedisReplicationSettings(minReplicas: replicas, waitTimeout: waitTimeout))
    }

    /// The job's state as the replica holds it.
    static func stateOnReplica(_ pair: RedisReplicatedPair, _ id: String) async throws -> JobState? {
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: pair.replica.url)!))  // built from a port number
        defer { Task { await client.shutdown() } }
        return try await RedisJobQueue(client: client).job(id: id)?.state
    }

    @Test("one replica required and running: every reported write is on the replica when it returns, and concurrent enqueues share WAITs")
    func liveReplica() async throws {
        let pair = try await RedisReplicatedPair()
        let queue = try Self.queue(on: pair.master, replicas: 1)
        let first = try await queue.enqueue(NewJob(type: "artifact", payload: [1], uniqueKey: "k1"))
        #expect(try await Self.stateOnReplica(pair, first.id) == .queued, "held by the replica right after the enqueue returned")
        // The first call of a script on a fresh server is answered NOSCRIPT and sent again, WAIT included.
        let loaded = try pair.waitCalls()
        _ = try await queue.enqueue(NewJob(type: "artifact", payload: [2]))
        #expect(try pair.waitCalls() == loaded + 1, "one enqueue, one WAIT")

        let producers = 200
        let receipts = try await withThrowingTaskGroup(of: EnqueueReceipt.self) { group in
            for index in 0..<producers { group.addTask { try await queue.enqueue(NewJob(type: "artifact", payload: [UInt8(index % 256)])) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let shared = try pair.waitCalls() - loaded - 1
        #expect(receipts.count == producers && shared < producers, "\(producers) concurrent enqueues took \(shared) WAITs")
        for receipt in receipts.prefix(5) { #expect(try await Self.stateOnReplica(pair, receipt.id) == .queued) }

        let leased = try await queue.lease(worker: "w", for: .seconds(30), limit: 2)
        try #require(leased.count == 2)
        try await queue.complete(id: leased[0].id, worker: "w", result: [])
        #expect(try await Self.stateOnReplica(pair, leased[0].id) == .completed)
        #expect(try await queue.fail(id: leased[1].id, worker: "w", message: "refused", permanent: true) == .deadLetter)
        #expect(try await Self.stateOnReplica(pair, leased[1].id) == .deadLetter)
        #expect(try await queue.retryDeadLetters(.ids([leased[1].id])) == 1)
        #expect(try await Self.stateOnReplica(pair, leased[1].id) == .queued)
        await pair.stop()
    }

    @Test("no replica required (the default): no WAIT is sent, whatever the queue does")
    func noReplicasRequired() async throws {
        let pair = try await RedisReplicatedPair()
        let queue = try Self.queue(on: pair.master, replicas: 0)
        _ = try await queue.enqueue(batch: [NewJob(type: "artifact", payload: [1], uniqueKey: "k"), NewJob(type: "artifact", payload: [2]),
                                            NewJob(type: "artifact", payload: [3])])
        _ = try await queue.enqueue(NewJob(type: "artifact", payload: [1], uniqueKey: "k"))
        let leased = try await queue.lease(worker: "w", for: .seconds(30), limit: 2)
        try await queue.complete(id: leased[0].id, worker: "w", result: [])
        _ = try await queue.fail(id: leased[1].id, worker: "w", message: "refused", permanent: true)
        _ = try await queue.retryDeadLetters(.all(type: nil))
        _ = try await queue.cancel(id: leased[1].id)
        #expect(try pair.waitCalls() == 0)
        await pair.stop()
    }

    @Test("replica stopped: the enqueue fails within the WAIT timeout; retried with its key once the replica resumes, it answers the one job")
    func stoppedReplicaEnqueue() async throws {
        let pair = try await RedisReplicatedPair()
        let queue = try Self.queue(on: pair.master, replicas: 1)
        let keyed = NewJob(type: "artifact", payload: [7], uniqueKey: "order-42")
        pair.pauseReplica()
        let start = ContinuousClock.now
        await #expect {
            _ = try await queue.enqueue(keyed)
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.contains("0 of the 1 Redis replicas REDIS_MIN_REPLICAS requires")
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= Self.waitTimeout && waited < .seconds(2), "answered after the WAIT timeout, not the command deadline: \(waited)")
        let onMaster = try await queue.jobs(in: .queued, limit: 10, after: nil)
        #expect(onMaster.count == 1, "the master applied the enqueue it could not confirm")

        // A replayed key is confirmed by a WAIT of its own, not by the replica's earlier acknowledgements.
        pair.resumeReplica()
        _ = try await queue.enqueue(NewJob(type: "artifact", payload: [8]))
        pair.pauseReplica()
        await #expect(throws: JobQueueError.self) { _ = try await queue.enqueue(keyed) }

        pair.resumeReplica()
        let retried = try await queue.enqueue(keyed)
        #expect(retried.deduplicated && retried.id == onMaster.first?.id)
        #expect(try await Self.stateOnReplica(pair, retried.id) == .queued)
        #expect(try await queue.counts().total(.queued) == 2, "the keyed job once, and the unkeyed one")
        await pair.stop()
    }

    @Test("replica stopped: a completion, a dead letter and a DLQ retry are not reported as done, and not counted")
    func stoppedReplicaStateChanges() async throws {
        let pair = try await RedisReplicatedPair()
        let registry = PrometheusCollectorRegistry()
        let queue = try Self.queue(on: pair.master, replicas: 1, metrics: QueueMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let ids = try await queue.enqueue(batch: (0..<3).map { NewJob(type: "artifact", payload: [UInt8($0)]) }).map(\.id)
        let leased = try await queue.lease(worker: "w", for: .seconds(30), limit: 3)
        try #require(leased.map(\.id) == ids)
        #expect(try await queue.fail(id: ids[2], worker: "w", message: "refused", permanent: true) == .deadLetter)

        pair.pauseReplica()
        await #expect(throws: JobQueueError.self, "a completion the replica did not confirm") {
            try await queue.complete(id: ids[0], worker: "w", result: [])
        }
        await #expect(throws: JobQueueError.self, "a dead letter the replica did not confirm") {
            _ = try await queue.fail(id: ids[1], worker: "w", message: "refused", permanent: true)
        }
        await #expect(throws: JobQueueError.self, "a DLQ retry the replica did not confirm") {
            _ = try await queue.retryDeadLetters(.ids([ids[2]]))
        }
        await #expect(throws: JobQueueError.self, "the store check asks the replicas too") { _ = try await queue.checkStore() }
        let metrics = registry.emitToString()
        #expect(!metrics.contains("ns_jobs_completed_total{"), "\(metrics)")
        #expect(metrics.contains(#"ns_jobs_dead_lettered_total{type="artifact"} 1"#), "only the confirmed dead letter: \(metrics)")

        pair.resumeReplica()
        // Applied on the master all the same: on a master that survives, that is the job's state.
        #expect(try await queue.job(id: ids[0])?.state == .completed)
        #expect(try await queue.job(id: ids[1])?.state == .deadLetter)
        #expect(try await queue.job(id: ids[2])?.state == .queued)
        await pair.stop()
    }
}
