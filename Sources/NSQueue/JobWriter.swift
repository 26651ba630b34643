import Foundation
import GRDB
import NSCore
import NSSQLite

/// Inserts new jobs (inside a transaction the caller owns), honouring unique keys.
struct JobWriter: Sendable {
    let defaults: JobQueueDefaults

    func insert(_ job: NewJob, now: Int64, db: Database) throws -> EnqueueReceipt {
        if let key = job.uniqueKey {
            let lookup = try db.cachedStatement(sql: "SELECT job_id FROM unique_keys WHERE key = ? AND expires_at > ?")
            if let existing = try String.fetchOne(lookup, arguments: [key, now]) {
                return EnqueueReceipt(id: existing, deduplicated: true)
            }
        }
        let id = JobID.generate(nowMs: now)
        let timeoutMs = Int64((job.timeout ?? defaults.timeout) / .milliseconds(1))
        // A cached statement (parsing the SQL for every job showed in the gateway's profile),
        // bound through SQLite's own calls (GRDB's argument arrays cost as much as the insert).
        let insert = try BoundStatement(db, sql: """
            INSERT INTO jobs (id, type, payload, priority, state, max_attempts, timeout_ms, created_at, updated_at, run_at, unique_key)
            VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind(id, at: 1)
        try insert.bind(job.type, at: 2)
        try insert.bind(job.payload, at: 3)
        try insert.bind(Int64(job.priority.rank), at: 4)
        try insert.bind(Int64(job.maxAttempts ?? defaults.maxAttempts), at: 5)
        try insert.bind(timeoutMs, at: 6)
        for index: Int32 in 7...9 { try insert.bind(now, at: index) }
        try insert.bind(job.uniqueKey, at: 10)
        try insert.run()
        if let key = job.uniqueKey {
            let expires = now + Int64(job.uniqueKeyTTL / .milliseconds(1))
            try db.cachedStatement(sql: "INSERT INTO unique_keys (key, job_id, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET job_id = excluded.job_id, expires_at = excluded.expires_at")
                .execute(arguments: [key, id, expires])
        }
        return EnqueueReceipt(id: id, deduplicated: false)
    }
}

/// Job ids: `job_`, the creation time in milliseconds as 10 base-32 digits, then 16 characters
/// of base-32 randomness (80 bits): URL-safe, unguessable, and ordered by creation time.
///
/// The order is what the embedded queue needs: ids are the key of its `jobs.id` index, and
/// random keys scattered each commit's inserts over the whole index, one page read and one 4 KiB
/// WAL page written per job once the index outgrew SQLite's page cache. Ids made in the same
/// millisecond land next to each other instead. The SQLite queue passes its own clock's `nowMs`;
/// the Redis queue keeps the wall-clock default, since its keys are hashed anyway.
public enum JobID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    static let timeDigits = 10
    static let randomDigits = 16

    /// Every queue job id starts with this; ledger transactions of other writers (admin-node's
    /// audit anchors) carry job ids without it, so a job status never shows them.
    public static let prefix = "job_"

    public static func generate(nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        var characters: [UInt8] = Array(prefix.utf8)
        characters.reserveCapacity(4 + timeDigits + randomDigits)
        // 10 digits of 5 bits hold 50 bits of milliseconds: until the year 37,648.
        for digit in (0..<timeDigits).reversed() { characters.append(alphabet[Int((nowMs >> (5 * Int64(digit))) & 31)]) }
        for byte in SecureRandom.identifierBytes(randomDigits) { characters.append(alphabet[Int(byte & 31)]) }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// Decoding of `jobs` rows, read by position: GRDB matches column names case-insensitively,
/// and the name lookups of every leased job showed up in the pipeline's profile.
enum JobRow {
    /// The columns ``decode(_:)`` reads, in its order; select `\(JobRow.columns)`, never `*`.
    static let names = ["id", "type", "payload", "priority", "state", "attempts", "max_attempts", "timeout_ms", "created_at", "updated_at",
                        "run_at", "lease_owner", "lease_expires_at", "result", "errors", "unique_key", "seq", "started_at"]
    static let columns = names.joined(separator: ", ")
    static let priorityIndex = index("priority")
    static let seqIndex = index("seq")
    static let startedAtIndex = index("started_at")

    private static func index(_ name: String) -> Int {
        names.firstIndex(of: name)!  // called only with names from the list above
    }

    static func decode(_ row: Row) throws -> Job {
        let errorsText: String = row[14]
        // Most jobs have not failed yet: skip building a decoder for their empty history.
        let errors = errorsText == "[]" ? [] : JobFailure.history(Data(errorsText.utf8), store: "SQLite")
        return Job(id: row[0], type: row[1], payload: Array(row[2] as Data), priority: JobPriority(rank: row[priorityIndex]) ?? .normal,
                   state: JobState(rawValue: row[4]) ?? .queued, attempts: row[5], maxAttempts: row[6],
                   timeoutMs: row[7], createdAt: row[8], updatedAt: row[9], runAt: row[10],
                   leaseOwner: row[11], leaseExpiresAt: row[12], result: (row[13] as Data?).map(Array.init),
                   errors: errors, uniqueKey: row[15])
    }

    static func encode(_ errors: [JobFailure]) -> String {
        // Encoding an array of plain structs of strings and integers cannot fail.
        String(decoding: (try? JSONEncoder().encode(errors)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
