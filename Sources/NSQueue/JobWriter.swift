import Foundation
import GRDB
import NSCore

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
        let id = JobID.generate()
        let timeoutMs = Int64((job.timeout ?? defaults.timeout) / .milliseconds(1))
        // Cached statements: parsing the SQL again for every job showed up in the gateway's profile.
        try db.cachedStatement(sql: """
            INSERT INTO jobs (id, type, payload, priority, state, max_attempts, timeout_ms, created_at, updated_at, run_at, unique_key)
            VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, job.type, Data(job.payload), job.priority.rank, job.maxAttempts ?? defaults.maxAttempts, timeoutMs,
                                     now, now, now, job.uniqueKey])
        if let key = job.uniqueKey {
            let expires = now + Int64(job.uniqueKeyTTL / .milliseconds(1))
            try db.cachedStatement(sql: "INSERT INTO unique_keys (key, job_id, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET job_id = excluded.job_id, expires_at = excluded.expires_at")
                .execute(arguments: [key, id, expires])
        }
        return EnqueueReceipt(id: id, deduplicated: false)
    }
}

/// Job ids: `job_` and 24 characters of base-32 randomness (120 bits), URL-safe and opaque.
public enum JobID {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func generate() -> String {
        var characters: [UInt8] = Array("job_".utf8)
        for byte in SecureRandom.bytes(24) { characters.append(alphabet[Int(byte & 31)]) }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// Decoding of `jobs` rows.
enum JobRow {
    static func decode(_ row: Row) throws -> Job {
        let errorsText: String = row["errors"]
        let errors = (try? JSONDecoder().decode([JobFailure].self, from: Data(errorsText.utf8))) ?? []
        return Job(id: row["id"], type: row["type"], payload: Array(row["payload"] as Data), priority: JobPriority(rank: row["priority"]) ?? .normal,
                   state: JobState(rawValue: row["state"]) ?? .queued, attempts: row["attempts"], maxAttempts: row["max_attempts"],
                   timeoutMs: row["timeout_ms"], createdAt: row["created_at"], updatedAt: row["updated_at"], runAt: row["run_at"],
                   leaseOwner: row["lease_owner"], leaseExpiresAt: row["lease_expires_at"], result: (row["result"] as Data?).map(Array.init),
                   errors: errors, uniqueKey: row["unique_key"])
    }

    static func encode(_ errors: [JobFailure]) -> String {
        // Encoding an array of plain structs of strings and integers cannot fail.
        String(decoding: (try? JSONEncoder().encode(errors)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
