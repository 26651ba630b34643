import Foundation

/// Strict priority classes: every ready CRITICAL job is handed out before any HIGH one, and so
/// on; inside one class, first in, first out.
public enum JobPriority: String, Sendable, Codable, CaseIterable, Comparable {
    case critical, high, normal, low

    /// Sort rank stored with each job (lower runs first).
    public var rank: Int {
        switch self {
        case .critical: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    public init?(rank: Int) {
        guard let match = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
        self = match
    }

    public static func < (lhs: JobPriority, rhs: JobPriority) -> Bool { lhs.rank < rhs.rank }
}

/// Where a job is in its life.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued
    case processing
    /// Failed, waiting for its backoff to pass before it is handed out again.
    case retry
    case completed
    case deadLetter = "dead_letter"
    case cancelled
}

/// One failed attempt: when, on which worker, and why.
public struct JobFailure: Sendable, Codable, Equatable {
    public let time: Int64
    public let worker: String
    public let message: String

    public init(time: Int64, worker: String, message: String) {
        self.time = time
        self.worker = worker
        self.message = message
    }

    /// A stored failure history, as JSON; one that does not decode stays visible as a single entry
    /// saying so, rather than reading as a job that never failed.
    static func history(_ json: Data, store: String) -> [JobFailure] {
        do {
            return try JSONDecoder().decode([JobFailure].self, from: json)
        } catch {
            return [JobFailure(time: 0, worker: "", message: "the failure history stored in \(store) is unreadable: \(error)")]
        }
    }
}

/// A job as the queue stores it. Times are Unix milliseconds.
public struct Job: Sendable, Equatable {
    public let id: String
    public let type: String
    public let payload: [UInt8]
    public let priority: JobPriority
    public var state: JobState
    public var attempts: Int
    public let maxAttempts: Int
    public let timeoutMs: Int64
    public let createdAt: Int64
    public var updatedAt: Int64
    /// When a queued or retrying job may next be handed out.
    public var runAt: Int64
    public var leaseOwner: String?
    public var leaseExpiresAt: Int64?
    public var result: [UInt8]?
    public var errors: [JobFailure]
    public let uniqueKey: String?
}

/// What a producer asks to run.
public struct NewJob: Sendable {
    public var type: String
    public var payload: [UInt8]
    public var priority: JobPriority
    /// Attempts before the dead-letter queue; `nil` takes the queue's default (JOB_MAX_RETRIES).
    public var maxAttempts: Int?
    /// Per-attempt limit; `nil` takes the queue's default (JOB_TIMEOUT_MS).
    public var timeout: Duration?
    /// Idempotency: while a job with this key is remembered (``uniqueKeyTTL``), enqueuing another
    /// returns the first job's id and adds nothing.
    public var uniqueKey: String?
    public var uniqueKeyTTL: Duration

    public init(type: String, payload: [UInt8], priority: JobPriority = .normal, maxAttempts: Int? = nil, timeout: Duration? = nil,
                uniqueKey: String? = nil, uniqueKeyTTL: Duration = .seconds(86_400)) {
        self.type = type
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.uniqueKey = uniqueKey
        self.uniqueKeyTTL = uniqueKeyTTL
    }
}

extension NewJob {
    /// Checks the description before anything is stored; `index` places it in its batch.
    func validate(index: Int) throws(JobQueueError) {
        guard (1...128).contains(type.utf8.count) else { throw .invalid(index: index, reason: "type must be 1 to 128 characters") }
        if let maxAttempts, !(1...100).contains(maxAttempts) { throw .invalid(index: index, reason: "maxAttempts must be 1 to 100") }
        if let timeout, timeout < .milliseconds(1) { throw .invalid(index: index, reason: "timeout must be positive") }
        if let uniqueKey, !(1...256).contains(uniqueKey.utf8.count) { throw .invalid(index: index, reason: "uniqueKey must be 1 to 256 characters") }
        if uniqueKey != nil, uniqueKeyTTL < .milliseconds(1) { throw .invalid(index: index, reason: "uniqueKeyTTL must be at least 1 ms") }
    }
}

/// The answer to an enqueue: the job's id, and whether it already existed under its unique key.
public struct EnqueueReceipt: Sendable, Equatable {
    public let id: String
    public let deduplicated: Bool
}

/// Why the queue refused an operation.
public enum JobQueueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A job description is unusable (empty type, bad limits); nothing was enqueued.
    case invalid(index: Int, reason: String)
    /// The worker no longer holds the job's lease (it expired and was recovered, or was never its).
    case leaseLost(id: String)
    case notFound(id: String)
    /// The store cannot be used right now (disk full, I/O error, Redis down); nothing changed,
    /// except after a timeout, when the store may have applied the call just before the answer was
    /// lost, and when fewer Redis replicas than `REDIS_MIN_REPLICAS` confirmed a call the master
    /// applied (an enqueue retried with the same unique key then finds the first one).
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalid(let index, let reason): "job \(index) is invalid: \(reason)"
        case .leaseLost(let id): "the lease on job \(id) is no longer held"
        case .notFound(let id): "no job \(id)"
        case .unavailable(let reason): "the job queue is unavailable: \(reason)"
        }
    }
}
