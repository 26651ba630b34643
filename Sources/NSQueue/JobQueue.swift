/// The job queue every node uses, whatever stores it (SQLite embedded, or Redis).
///
/// Contract, checked by one conformance suite against every backend:
/// - strict priority, FIFO within a priority; a batch enqueue is all or nothing;
/// - a unique key enqueued twice within its TTL yields the first job's id and nothing new;
/// - a leased job is held by one worker until it completes, fails, or its lease expires; an
///   expired lease or an attempt past the job's timeout counts as a failed attempt;
/// - failed attempts back off exponentially; after the last one, or on a permanent failure, the
///   job moves to the dead-letter queue, where it stays until an operator retries or purges it;
/// - any job can be looked up by id alone, whatever its state.
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
    /// Optional bound on the dead-letter queue: beyond it the oldest entries are deleted, each
    /// eviction counted (`ns_jobs_dead_letter_evicted_total`) and logged. `nil`: unbounded.
    public var maxDeadLetters: Int?

    public init(maxAttempts: Int = 3, timeout: Duration = .seconds(60), maxDeadLetters: Int? = nil) {
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.maxDeadLetters = maxDeadLetters
    }
}
