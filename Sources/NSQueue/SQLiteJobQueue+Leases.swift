import Foundation
import GRDB

extension SQLiteJobQueue {
    public func lease(worker: String, for lease: Duration, limit: Int) async throws(JobQueueError) -> [Job] {
        guard limit > 0 else { return [] }
        let request = LeaseRequest(worker: worker, leaseMs: Int64(lease / .milliseconds(1)), limit: limit)
        guard case .leased(let jobs) = try await committer.submit(.lease(request)).get() else {
            throw .unavailable("the queue answered a lease with another kind of reply")
        }
        return jobs
    }

    /// One worker's leases inside a shared transaction: concurrent workers' leases commit together.
    static func lease(_ request: LeaseRequest, now: Int64, db: Database) throws -> [Job] {
        guard try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM queue_settings WHERE key = 'paused'")) != "1" else { return [] }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            UPDATE jobs SET state = 'processing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                            started_at = ?, updated_at = ?
            WHERE seq IN (SELECT seq FROM jobs WHERE state IN ('queued', 'retry') AND run_at <= ? ORDER BY priority, seq LIMIT ?)
            RETURNING \(JobRow.columns)
            """), arguments: [request.worker, now + request.leaseMs, now, now, now, request.limit])
        // RETURNING gives no order; hand the jobs out in the order they were picked.
        let picked = rows.map { row -> (rank: Int, seq: Int64, row: Row) in (row[JobRow.priorityIndex], row[JobRow.seqIndex], row) }
        return try picked.sorted { ($0.rank, $0.seq) < ($1.rank, $1.seq) }.map { try JobRow.decode($0.row) }
    }

    public func heartbeat(id: String, worker: String, for lease: Duration) async throws(JobQueueError) -> Bool {
        let now = clock.nowMs()
        let expires = now + Int64(lease / .milliseconds(1))
        return try await write { db in
            try db.execute(sql: """
                UPDATE jobs SET lease_expires_at = ?, updated_at = ?
                WHERE id = ? AND state = 'processing' AND lease_owner = ? AND lease_expires_at > ?
                """, arguments: [expires, now, id, worker, now])
            return db.changesCount == 1
        }
    }

    public func complete(_ completions: [JobCompletion]) async throws(JobQueueError) -> [String] {
        guard !completions.isEmpty else { return [] }
        guard case .completed(let finished) = try await committer.submit(.complete(completions)).get(), finished.count == completions.count else {
            throw .unavailable("the queue answered a completion with another kind of reply")
        }
        var lost: [String] = []
        for (completion, done) in zip(completions, finished) {
            if let done { metrics?.completed(type: done.type, durationMs: done.durationMs) } else { lost.append(completion.id) }
        }
        if defaults.retentionMs == 0 { metrics?.retentionDeleted(completions.count - lost.count) }
        return lost
    }

    /// Completions inside a shared transaction; `nil` for each job whose lease the worker lost.
    /// A completed job keeps its result but not its payload (the ledger holds what became of
    /// it); with no retention it is deleted outright.
    static func complete(_ completions: [JobCompletion], retained: Bool, now: Int64, db: Database) throws -> [CompletedJob?] {
        let statement = try db.cachedStatement(sql: retained ? """
            UPDATE jobs SET state = 'completed', result = ?, payload = X'', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
            WHERE id = ? AND state = 'processing' AND lease_owner = ?
            RETURNING type, started_at
            """ : """
            DELETE FROM jobs WHERE id = ? AND state = 'processing' AND lease_owner = ? RETURNING type, started_at
            """)
        return try completions.map { completion in
            let arguments: StatementArguments = retained ? [Data(completion.result), now, completion.id, completion.worker] : [completion.id, completion.worker]
            let row = try Row.fetchOne(statement, arguments: arguments)
            return row.map { CompletedJob(type: $0["type"], durationMs: now - ($0["started_at"] ?? now)) }
        }
    }

    public func fail(id: String, worker: String, message: String, permanent: Bool) async throws(JobQueueError) -> JobState {
        let now = clock.nowMs()
        let delay = retry
        let cap = defaults.maxDeadLetters
        let outcome = try await write { db -> (JobState, [String])? in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(JobRow.columns) FROM jobs WHERE id = ? AND state = 'processing' AND lease_owner = ?",
                                             arguments: [id, worker]) else { return nil }
            let state = try Self.recordFailure(try JobRow.decode(row), worker: worker, message: message, permanent: permanent, now: now, retry: delay, db: db)
            return (state, state == .deadLetter ? try Self.enforceDeadLetterCap(cap, db: db) : [])
        }
        guard let (state, evicted) = outcome else { throw .leaseLost(id: id) }
        reportEvictions(evicted)
        if let metrics, let type = try await job(id: id)?.type { metrics.failed(type: type, state: state) }
        return state
    }

    /// Appends the failure to the job's history and moves it to `retry` (after backoff) or `dead_letter`.
    static func recordFailure(_ job: Job, worker: String, message: String, permanent: Bool, now: Int64, retry: RetryPolicy,
                              db: Database) throws -> JobState {
        let errors = job.errors + [JobFailure(time: now, worker: worker, message: message)]
        let exhausted = permanent || job.attempts >= job.maxAttempts
        let state: JobState = exhausted ? .deadLetter : .retry
        let runAt = exhausted ? now : now + retry.delayMs(afterAttempt: job.attempts)
        try db.execute(sql: """
            UPDATE jobs SET state = ?, errors = ?, run_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?
            """, arguments: [state.rawValue, JobRow.encode(errors), runAt, now, job.id])
        return state
    }

    /// Also deletes unique keys whose TTL has passed.
    public func recoverExpired() async throws(JobQueueError) -> Int {
        let now = clock.nowMs()
        let delay = retry
        let cap = defaults.maxDeadLetters
        let (recovered, evicted) = try await write { db -> (Int, [String]) in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(JobRow.columns) FROM jobs WHERE state = 'processing' AND (lease_expires_at <= ? OR started_at + timeout_ms <= ?)
                """, arguments: [now, now])
            for row in rows {
                let job = try JobRow.decode(row)
                let startedAt: Int64 = row[JobRow.startedAtIndex] ?? now
                let message = startedAt + job.timeoutMs <= now
                    ? "timed out after \(job.timeoutMs) ms"
                    : "lease expired (worker stopped renewing it)"
                _ = try Self.recordFailure(job, worker: job.leaseOwner ?? "unknown", message: message, permanent: false, now: now, retry: delay, db: db)
            }
            // Unique keys past their TTL no longer deduplicate anything; without this sweep the
            // table would keep every idempotency key ever used. (Redis expires its keys itself.)
            try db.execute(sql: "DELETE FROM unique_keys WHERE expires_at <= ?", arguments: [now])
            return (rows.count, try Self.enforceDeadLetterCap(cap, db: db))
        }
        reportEvictions(evicted)
        if recovered > 0 { metrics?.recovered(recovered) }
        return recovered
    }
}

extension SQLiteJobQueue {
    /// Deletes the oldest dead letters beyond `cap` and returns their ids.
    static func enforceDeadLetterCap(_ cap: Int?, db: Database) throws -> [String] {
        guard let cap else { return [] }
        let evicted = try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE state = 'dead_letter' ORDER BY seq DESC LIMIT -1 OFFSET ?",
                                          arguments: [cap])
        guard !evicted.isEmpty else { return [] }
        try db.execute(sql: "DELETE FROM jobs WHERE id IN (\(evicted.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(evicted))
        return evicted
    }

    /// Evictions are never silent: each is counted and logged with its job id.
    func reportEvictions(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        metrics?.evicted(ids.count)
        for id in ids {
            logger.warning("dead-letter queue over its size cap: oldest entry evicted", metadata: ["jobId": .string(id)])
        }
    }
}

/// The writes that share commits, and their answers.
enum QueueOperation: Sendable {
    case enqueue([NewJob])
    case lease(LeaseRequest)
    case complete([JobCompletion])
}

enum QueueReply: Sendable {
    case receipts([EnqueueReceipt])
    case leased([Job])
    case completed([CompletedJob?])
}

struct LeaseRequest: Sendable {
    let worker: String
    let leaseMs: Int64
    let limit: Int
}

struct CompletedJob: Sendable {
    let type: String
    let durationMs: Int64
}
