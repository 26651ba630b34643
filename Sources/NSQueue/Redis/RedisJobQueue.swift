import Foundation
import Logging

/// The distributed job queue on Redis (`REDIS_URL`): every state change is one Lua script
/// (``RedisQueueScripts``), so several gateways and vp-nodes can share it. The caller's clock is
/// passed to each script, which keeps time-based behaviour testable and consistent with SQLite.
public final class RedisJobQueue: JobQueue {
    let client: RedisClient
    let prefix: String
    let clock: any JobClock
    let retry: RetryPolicy
    let defaults: JobQueueDefaults
    let metrics: QueueMetrics?
    let logger: Logger

    /// `namespace` becomes the hash tag of every key (`{ns}:...`).
    public init(client: RedisClient, namespace: String = "ns", defaults: JobQueueDefaults = .init(), retry: RetryPolicy = RetryPolicy(),
                clock: any JobClock = SystemJobClock(), metrics: QueueMetrics? = nil, logger: Logger = Logger(label: "job-queue")) {
        self.client = client
        self.prefix = "{\(namespace)}:"
        self.clock = clock
        self.retry = retry
        self.defaults = defaults
        self.metrics = metrics
        self.logger = logger
    }

    func run(_ script: String, _ arguments: [RedisArgument]) async throws(JobQueueError) -> RESPValue {
        do {
            return try await client.eval(script, keys: [prefix + "seq"], arguments: [RedisArgument(prefix), RedisArgument(clock.nowMs())] + arguments)
        } catch {
            throw .unavailable(error.description)
        }
    }

    public func enqueue(_ job: NewJob) async throws(JobQueueError) -> EnqueueReceipt {
        try await enqueue(batch: [job])[0]  // one job in, one receipt out
    }

    public func enqueue(batch jobs: [NewJob]) async throws(JobQueueError) -> [EnqueueReceipt] {
        guard !jobs.isEmpty else { return [] }
        var arguments: [RedisArgument] = [RedisArgument(Int64(jobs.count))]
        for (index, job) in jobs.enumerated() {
            try job.validate(index: index)
            arguments += [RedisArgument(JobID.generate()), RedisArgument(job.type), RedisArgument(job.payload), RedisArgument(Int64(job.priority.rank)),
                          RedisArgument(Int64(job.maxAttempts ?? defaults.maxAttempts)),
                          RedisArgument(Int64((job.timeout ?? defaults.timeout) / .milliseconds(1))),
                          RedisArgument(job.uniqueKey ?? ""), RedisArgument(Int64(job.uniqueKeyTTL / .milliseconds(1)))]
        }
        let flat = try await run(RedisQueueScripts.enqueue, arguments).array ?? []
        var receipts: [EnqueueReceipt] = []
        for pair in stride(from: 0, to: flat.count - 1, by: 2) {
            receipts.append(EnqueueReceipt(id: flat[pair].string ?? "", deduplicated: flat[pair + 1].int == 1))
        }
        if let metrics {
            for (job, receipt) in zip(jobs, receipts) where !receipt.deduplicated { metrics.enqueued(job) }
        }
        return receipts
    }

    public func lease(worker: String, for lease: Duration, limit: Int) async throws(JobQueueError) -> [Job] {
        guard limit > 0 else { return [] }
        let reply = try await run(RedisQueueScripts.lease, [RedisArgument(worker), RedisArgument(Int64(lease / .milliseconds(1))),
                                                            RedisArgument(Int64(min(limit, Self.maxBatch)))])
        return (reply.array ?? []).compactMap { $0.array.flatMap(Self.decode) }
    }

    public func heartbeat(id: String, worker: String, for lease: Duration) async throws(JobQueueError) -> Bool {
        try await run(RedisQueueScripts.heartbeat, [RedisArgument(id), RedisArgument(worker), RedisArgument(Int64(lease / .milliseconds(1)))]).int == 1
    }

    /// Jobs per lease or completion script: Lua's `unpack` is bounded (about 8,000 values).
    static let maxBatch = 1_000

    public func complete(_ completions: [JobCompletion]) async throws(JobQueueError) -> [String] {
        var lost: [String] = []
        for start in stride(from: 0, to: completions.count, by: Self.maxBatch) {
            lost += try await complete(chunk: completions[start..<min(start + Self.maxBatch, completions.count)])
        }
        return lost
    }

    private func complete(chunk completions: ArraySlice<JobCompletion>) async throws(JobQueueError) -> [String] {
        var arguments: [RedisArgument] = [RedisArgument(Int64(completions.count))]
        for completion in completions {
            arguments += [RedisArgument(completion.id), RedisArgument(completion.worker), RedisArgument(completion.result)]
        }
        let replies = try await run(RedisQueueScripts.complete, arguments).array ?? []
        guard replies.count == completions.count else { throw .unavailable("Redis answered \(replies.count) completions for \(completions.count)") }
        let now = clock.nowMs()
        var lost: [String] = []
        for (completion, reply) in zip(completions, replies) {
            guard let done = reply.array, done.count == 2 else {
                lost.append(completion.id)
                continue
            }
            metrics?.completed(type: done[0].string ?? "", durationMs: now - (Int64(done[1].string ?? "") ?? now))
        }
        return lost
    }

    public func fail(id: String, worker: String, message: String, permanent: Bool) async throws(JobQueueError) -> JobState {
        guard let reply = try await run(RedisQueueScripts.fail, [RedisArgument(id), RedisArgument(worker), RedisArgument(message),
                                                                 RedisArgument(permanent ? 1 : 0)] + retryArguments).array,
              let state = reply.first?.string.flatMap(JobState.init(rawValue:))
        else { throw .leaseLost(id: id) }
        metrics?.failed(type: reply[1].string ?? "", state: state)
        report(evicted: reply.dropFirst(2).compactMap(\.string))
        return state
    }

    public func recoverExpired() async throws(JobQueueError) -> Int {
        let reply = try await run(RedisQueueScripts.recover, retryArguments).array ?? []
        let recovered = Int(reply.first?.int ?? 0)
        if recovered > 0 { metrics?.recovered(recovered) }
        report(evicted: reply.dropFirst().compactMap(\.string))
        return recovered
    }

    /// Backoff base and cap, the jitter as parts per million of the nominal delay, and the DLQ cap.
    private var retryArguments: [RedisArgument] {
        [RedisArgument(Int64(retry.base / .milliseconds(1))), RedisArgument(Int64(retry.cap / .milliseconds(1))),
         RedisArgument(retry.jitter(1_000_000)), RedisArgument(Int64(defaults.maxDeadLetters ?? 0))]
    }

    private func report(evicted ids: [String]) {
        guard !ids.isEmpty else { return }
        metrics?.evicted(ids.count)
        for id in ids { logger.warning("dead-letter queue over its size cap: oldest entry evicted", metadata: ["jobId": .string(id)]) }
    }

    public func job(id: String) async throws(JobQueueError) -> Job? {
        do {
            return try await client.command(["HGETALL", RedisArgument(prefix + "job:" + id)]).array.flatMap(Self.decode)
        } catch {
            throw .unavailable(error.description)
        }
    }

    public func cancel(id: String) async throws(JobQueueError) -> Bool {
        try await run(RedisQueueScripts.cancel, [RedisArgument(id)]).int == 1
    }

    public func setPaused(_ paused: Bool) async throws(JobQueueError) {
        do {
            _ = try await client.command(paused ? ["SET", RedisArgument(prefix + "paused"), "1"] : ["DEL", RedisArgument(prefix + "paused")])
        } catch {
            throw .unavailable(error.description)
        }
    }

    public func isPaused() async throws(JobQueueError) -> Bool {
        do {
            return try await client.command(["GET", RedisArgument(prefix + "paused")]).string == "1"
        } catch {
            throw .unavailable(error.description)
        }
    }
}
