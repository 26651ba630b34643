import Foundation
import Logging
import NSCore
import NSRedis

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
    let runner: ScriptRunner
    let enqueues: GroupCommitter<[NewJob], [EnqueueReceipt]>

    /// `namespace` becomes the hash tag of every key (`{ns}:...`). With `replication` requiring
    /// replicas, each reported write waits for them (`WAIT`) after it ran: `client`'s command
    /// deadline must exceed the wait's timeout, and a write they do not confirm in time throws
    /// ``JobQueueError/unavailable(_:)`` although the master has applied it.
    public init(client: RedisClient, namespace: String = "ns", defaults: JobQueueDefaults = .init(), retry: RetryPolicy = RetryPolicy(),
                clock: any JobClock = SystemJobClock(), metrics: QueueMetrics? = nil, logger: Logger = Logger(label: "job-queue"),
                replication: RedisReplicationSettings = RedisReplicationSettings()) {
        self.client = client
        let prefix = "{\(namespace)}:"
        self.prefix = prefix
        self.clock = clock
        self.retry = retry
        self.defaults = defaults
        self.metrics = metrics
        self.logger = logger
        let runner = ScriptRunner(client: client, prefix: prefix, clock: clock, replication: replication)
        self.runner = runner
        self.enqueues = GroupCommitter(maxInFlight: Self.enqueuesInFlight) { batches in await Self.enqueue(batches, runner: runner, defaults: defaults) }
    }

    /// Enqueue scripts running at once. With two, callers waited for a free call while Redis was
    /// busy with leases and completions, and enqueue latency capped the rate of a shared queue;
    /// four gave enqueue-to-completed a higher rate in `queue-bench everysec` (bench/README.md).
    static let enqueuesInFlight = 4

    func run(_ script: RedisScript, _ arguments: [RedisArgument]) async throws(JobQueueError) -> RESPValue {
        try await runner.run(script, arguments)
    }

    /// A script whose outcome the caller reports (a completion, a failure, a cancel, a DLQ
    /// change): with replicas required, it returns only once they hold it.
    func runAcknowledged(_ script: RedisScript, _ arguments: [RedisArgument]) async throws(JobQueueError) -> RESPValue {
        try await runner.runAcknowledged(script, arguments)
    }

    public func lease(worker: String, for lease: Duration, limit: Int) async throws(JobQueueError) -> [Job] {
        guard limit > 0 else { return [] }
        let reply = try await run(RedisQueueScripts.lease, [RedisArgument(worker), RedisArgument(Int64(lease / .milliseconds(1))),
                                                            RedisArgument(Int64(min(limit, Self.maxBatch)))])
        return Self.decodeLeased(reply.array ?? [], worker: worker)
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
        var arguments: [RedisArgument] = [RedisArgument(Int64(completions.count)), RedisArgument(keepsFinished ? 1 : 0)]
        for completion in completions {
            arguments += [RedisArgument(completion.id), RedisArgument(completion.worker), RedisArgument(completion.result)]
        }
        let replies = try await runAcknowledged(RedisQueueScripts.complete, arguments).array ?? []
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
        if !keepsFinished { metrics?.retentionDeleted(completions.count - lost.count) }
        return lost
    }

    public func fail(id: String, worker: String, message: String, permanent: Bool) async throws(JobQueueError) -> JobState {
        guard let reply = try await runAcknowledged(RedisQueueScripts.fail, [RedisArgument(id), RedisArgument(worker), RedisArgument(message),
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
            return try await client.command(["HGETALL", RedisArgument(prefix + "job:" + id)]).array.flatMap { Self.decode(id: id, $0) }
        } catch {
            throw .unavailable(error.description)
        }
    }

    /// With no retention the cancelled job is deleted at once, as a completed one is.
    public func cancel(id: String) async throws(JobQueueError) -> Bool {
        let cancelled = try await runAcknowledged(RedisQueueScripts.cancel, [RedisArgument(id), RedisArgument(keepsFinished ? 1 : 0)]).int == 1
        if cancelled && !keepsFinished { metrics?.retentionDeleted(1) }
        return cancelled
    }

    /// Whether finished records stay for a retention period (else they are deleted as they finish).
    var keepsFinished: Bool { defaults.retentionMs > 0 }

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
