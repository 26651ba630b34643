import NSCore
import NSRedis

/// Enqueues on Redis. Concurrent callers share script calls: while as many enqueue scripts as
/// ``RedisJobQueue/enqueuesInFlight`` allows are running, new batches wait and then go together in
/// the next call (the Redis counterpart of the SQLite backend's group commit). A caller's batch is
/// never split across calls, so it stays all-or-nothing; each caller still gets its own receipts,
/// in its own order.
extension RedisJobQueue {
    public func enqueue(_ job: NewJob) async throws(JobQueueError) -> EnqueueReceipt {
        try await enqueue(batch: [job])[0]  // one job in, one receipt out
    }

    public func enqueue(batch jobs: [NewJob]) async throws(JobQueueError) -> [EnqueueReceipt] {
        guard !jobs.isEmpty else { return [] }
        for (index, job) in jobs.enumerated() { try job.validate(index: index) }
        let receipts = try await enqueues.submit(jobs).get()
        if let metrics {
            for (job, receipt) in zip(jobs, receipts) where !receipt.deduplicated { metrics.enqueued(job) }
        }
        return receipts
    }

    /// Runs the enqueue script for `batches` (one per waiting caller), packing whole batches into
    /// calls of at most ``maxBatch`` jobs (a larger batch goes alone). One outcome per batch, in order.
    static func enqueue(_ batches: [[NewJob]], runner: ScriptRunner, defaults: JobQueueDefaults) async -> [Result<[EnqueueReceipt], JobQueueError>] {
        var outcomes: [Result<[EnqueueReceipt], JobQueueError>] = []
        var start = 0
        while start < batches.count {
            var end = start + 1
            var jobs = batches[start].count
            while end < batches.count, jobs + batches[end].count <= maxBatch {
                jobs += batches[end].count
                end += 1
            }
            let group = batches[start..<end]
            do throws(JobQueueError) {
                var receipts = try await enqueue(jobs: group.joined(), count: jobs, runner: runner, defaults: defaults)[...]
                for batch in group {
                    outcomes.append(.success(Array(receipts.prefix(batch.count))))
                    receipts = receipts.dropFirst(batch.count)
                }
            } catch {
                outcomes += group.map { _ in .failure(error) }
            }
            start = end
        }
        return outcomes
    }

    /// One enqueue script call for `count` jobs; one receipt per job, in order.
    private static func enqueue(jobs: some Sequence<NewJob>, count: Int, runner: ScriptRunner, defaults: JobQueueDefaults) async throws(JobQueueError) -> [EnqueueReceipt] {
        var arguments: [RedisArgument] = [RedisArgument(Int64(count))]
        arguments.reserveCapacity(1 + count * 8)
        var keyed = false
        for job in jobs {
            keyed = keyed || job.uniqueKey != nil
            arguments += [RedisArgument(JobID.generate()), RedisArgument(job.type), RedisArgument(job.payload), RedisArgument(Int64(job.priority.rank)),
                          RedisArgument(Int64(job.maxAttempts ?? defaults.maxAttempts)),
                          RedisArgument(Int64((job.timeout ?? defaults.timeout) / .milliseconds(1))),
                          RedisArgument(job.uniqueKey ?? ""), RedisArgument(Int64(job.uniqueKeyTTL / .milliseconds(1)))]
        }
        // A keyed job may be answered from its first enqueue, which this script does not write:
        // the replicas must be shown to hold that one too (``ScriptRunner/runAcknowledged``).
        let flat = try await runner.runAcknowledged(RedisQueueScripts.enqueue, arguments, markingOffset: keyed).array ?? []
        guard flat.count == 2 * count else { throw .unavailable("Redis answered \(flat.count / 2) receipts for \(count) jobs") }
        return stride(from: 0, to: flat.count, by: 2).map { pair in
            EnqueueReceipt(id: flat[pair].string ?? "", deduplicated: flat[pair + 1].int == 1)
        }
    }
}

/// Runs the queue's scripts: every call passes the key prefix and the caller's clock first.
struct ScriptRunner: Sendable {
    let client: RedisClient
    let prefix: String
    let clock: any JobClock
    /// Replicas that must hold a reported write (``runAcknowledged(_:_:markingOffset:)``).
    let replication: RedisReplicationSettings

    func run(_ script: RedisScript, _ arguments: [RedisArgument]) async throws(JobQueueError) -> RESPValue {
        do {
            return try await client.eval(script, keys: [prefix + "seq"], arguments: [RedisArgument(prefix), RedisArgument(clock.nowMs())] + arguments)
        } catch {
            throw .unavailable(error.description)
        }
    }
}
