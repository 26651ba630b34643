import NSCore

/// The job queue every node uses, whatever stores it (SQLite embedded, or Redis).
///
/// Contract, checked by one conformance suite against every backend:
/// - strict priority, FIFO within a priority; a batch enqueue is all or nothing;
/// - a unique key enqueued twice within its TTL yields the first job's id and nothing new;
/// - a leased job is held by one worker until it completes, fails, or its lease expires; an
///   expired lease or an attempt past the job's timeout counts as a failed attempt;
/// - failed attempts back off exponentially; after the last one, or on a permanent failure, the
///   job moves to the dead-letter queue, where it stays until an operator retries or purges it;
/// - any job can be looked up by id alone, whatever its state, until retention deletes it: a
///   completed job drops its payload at once, and completed and cancelled records are deleted
///   once ``JobQueueDefaults/retention`` has passed since they finished (dead letters stay);
/// - the store proves it takes writes before `/health` calls it healthy.
public protocol JobQueue: Sendable {
    func enqueue(_ job: NewJob) async throws(JobQueueError) -> EnqueueReceipt
    func enqueue(batch jobs: [NewJob]) async throws(JobQueueError) -> [EnqueueReceipt]

    /// Hands up to `limit` ready jobs to `worker` for `lease`, in hand-out order (priority, then
    /// FIFO), in one round trip: empty when none is ready or the queue is paused. Each job is
    /// leased on its own: its lease, heartbeat, timeout and completion are per job.
    func lease(worker: String, for lease: Duration, limit: Int) async throws(JobQueueError) -> [Job]
    /// Extends a held lease; `false` when the worker no longer holds it.
    func heartbeat(id: String, worker: String, for lease: Duration) async throws(JobQueueError) -> Bool
    /// Completes held jobs in one round trip (one commit on SQLite). Returns the ids the worker no
    /// longer held a lease on: those jobs are left as they are (another worker may have them).
    func complete(_ completions: [JobCompletion]) async throws(JobQueueError) -> [String]
    /// Records a failed attempt and returns the job's new state (`retry` or `dead_letter`).
    func fail(id: String, worker: String, message: String, permanent: Bool) async throws(JobQueueError) -> JobState
    /// Returns expired leases and timed-out attempts to the queue (as failed attempts); the count recovered.
    func recoverExpired() async throws(JobQueueError) -> Int

    func job(id: String) async throws(JobQueueError) -> Job?
    /// Up to `limit` (1...1,000) jobs in `state`, oldest first, starting after the job `after`
    /// (for paging). For operators: it may scan, and is not meant for hot paths.
    func jobs(in state: JobState, limit: Int, after: String?) async throws(JobQueueError) -> [Job]
    /// Cancels a queued or retrying job; `false` when it is in any other state.
    func cancel(id: String) async throws(JobQueueError) -> Bool
    func setPaused(_ paused: Bool) async throws(JobQueueError)
    func isPaused() async throws(JobQueueError) -> Bool
    func counts() async throws(JobQueueError) -> QueueCounts

    /// Deletes up to `limit` completed and cancelled records whose retention has passed, the
    /// oldest finished first, and returns how many it deleted (fewer than `limit`: none are left
    /// due). One bounded store call, through an index by finish time: callers loop while it
    /// returns `limit`, so enqueues and leases interleave with a long backlog of deletions.
    func deleteFinished(limit: Int) async throws(JobQueueError) -> Int

    /// Writes to the store and reports its size: ``JobQueueError/unavailable(_:)`` naming the
    /// reason when it refuses writes (Redis `OOM`, `READONLY`, `MISCONF`; a full disk or an I/O
    /// error for SQLite). A read (`PING`, `SELECT 1`) is not enough: a store can answer reads
    /// while every enqueue fails.
    func checkStore() async throws(JobQueueError) -> QueueStoreUsage
    /// The store's size without writing anything, for metrics.
    func storeUsage() async throws(JobQueueError) -> QueueStoreUsage

    func deadLetters(type: String?, limit: Int, after: String?) async throws(JobQueueError) -> [Job]
    /// Re-queues dead-lettered jobs (attempts reset, history kept); the number re-queued.
    func retryDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int
    /// Deletes dead-lettered jobs; the number deleted.
    func purgeDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int
}

extension JobQueue {
    /// The next ready job for `worker`, or `nil` when none is ready or the queue is paused.
    public func lease(worker: String, for lease: Duration) async throws(JobQueueError) -> Job? {
        try await self.lease(worker: worker, for: lease, limit: 1).first
    }

    /// Completes one held job; ``JobQueueError/leaseLost(id:)`` when the worker no longer holds it.
    public func complete(id: String, worker: String, result: [UInt8]) async throws(JobQueueError) {
        guard try await complete([JobCompletion(id: id, worker: worker, result: result)]).isEmpty else { throw .leaseLost(id: id) }
    }
}

/// A worker's successful end of one leased job.
public struct JobCompletion: Sendable, Equatable {
    public var id: String
    public var worker: String
    public var result: [UInt8]

    public init(id: String, worker: String, result: [UInt8]) {
        self.id = id
        self.worker = worker
        self.result = result
    }
}

/// Which dead-lettered jobs an operator acts on.
public enum DeadLetterSelection: Sendable, Equatable {
    case ids([String])
    case all(type: String?)
    /// Dead-lettered before this time (Unix ms).
    case olderThan(Int64)
}

/// Jobs per state and priority, and the age of the oldest queued job.
public struct QueueCounts: Sendable, Equatable {
    public var byState: [JobState: [JobPriority: Int]]
    public var oldestQueuedAgeMs: Int64?

    public init(byState: [JobState: [JobPriority: Int]] = [:], oldestQueuedAgeMs: Int64? = nil) {
        self.byState = byState
        self.oldestQueuedAgeMs = oldestQueuedAgeMs
    }

    public func total(_ state: JobState) -> Int {
        byState[state]?.values.reduce(0, +) ?? 0
    }
}

/// Limits a queue applies to jobs that do not set their own (`JOB_MAX_RETRIES`, `JOB_TIMEOUT_MS`).
public struct JobQueueDefaults: Sendable {
    public var maxAttempts: Int
    public var timeout: Duration
    /// How long a completed or cancelled record stays after it finished (`JOB_RETENTION_MS`);
    /// `.zero` deletes it as it finishes. Dead letters are not affected.
    public var retention: Duration
    /// Optional bound on the dead-letter queue: beyond it the oldest entries are deleted, each
    /// eviction counted (`ns_jobs_dead_letter_evicted_total`) and logged. `nil`: unbounded.
    public var maxDeadLetters: Int?

    public init(maxAttempts: Int = 3, timeout: Duration = .seconds(60), retention: Duration = Self.defaultRetention, maxDeadLetters: Int? = nil) {
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.retention = retention
        self.maxDeadLetters = maxDeadLetters
    }

    /// `JOB_RETENTION_MS`'s default.
    public static let defaultRetention = Duration.milliseconds(DaemonSettings.defaultJobRetentionMs)

    var retentionMs: Int64 { max(0, Int64(retention / .milliseconds(1))) }
}

/// How much the queue's store holds, and how much it can hold.
public struct QueueStoreUsage: Sendable, Equatable {
    /// Redis `used_memory`; for SQLite the size of the queue's files (database and WAL).
    public var usedBytes: Int64
    /// Redis `maxmemory` (`nil` when unset: Redis grows until the host runs out); for SQLite
    /// `usedBytes` plus the space free on its file system.
    public var limitBytes: Int64?

    public init(usedBytes: Int64, limitBytes: Int64?) {
        self.usedBytes = usedBytes
        self.limitBytes = limitBytes
    }

    /// `usedBytes` as a percentage of `limitBytes`, when there is a limit.
    public var percentUsed: Double? {
        limitBytes.flatMap { $0 > 0 ? Double(usedBytes) * 100 / Double($0) : nil }
    }
}
