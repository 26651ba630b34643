import Foundation
import GRDB
import NSCore

/// The `sessions` table: each write shares its write transaction with its audit entry.
extension SQLiteAdminStore {
    /// Expired and revoked sessions are kept this long for the sessions page, then dropped.
    static let sessionRetentionMs: Int64 = 86_400_000

    public func createSession(_ session: AdminSession, audited event: AuditEvent, now: Date) async throws -> AuditEntry {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO sessions (id_hash, subject, role, csrf, source, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [session.idHash, session.subject, session.role.rawValue, session.csrf, session.source,
                                       session.createdAt, session.expiresAt])
            let cutoff = now.unixMs - Self.sessionRetentionMs
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?", arguments: [cutoff, cutoff])
            return try Self.append(event, now: now, in: db)
        }
    }

    public func revokeSession(idHash: String, audited event: AuditEvent, now: Date, failedOutcome: String?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL",
                           arguments: [now.unixMs, idHash])
            let ended = db.changesCount > 0
            var entry = event
            if !ended, let failedOutcome { entry.outcome = failedOutcome }
            _ = try Self.append(entry, now: now, in: db)
            return ended
        }
    }

    public func session(idHash: String, now: Int64) async throws -> AdminSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id_hash = ? AND revoked_at IS NULL AND expires_at > ?",
                             arguments: [idHash, now]).flatMap(Self.session)
        }
    }

    public func activeSessions(now: Int64) async throws -> [AdminSession] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC",
                             arguments: [now]).compactMap(Self.session)
        }
    }

    /// The session in one row; `nil` for a role this build does not know (it grants nothing).
    private static func session(_ row: Row) -> AdminSession? {
        guard let role = OperatorRole(rawValue: row["role"]) else { return nil }
        return AdminSession(idHash: row["id_hash"], subject: row["subject"], role: role, csrf: row["csrf"], source: row["source"],
                            createdAt: row["created_at"], expiresAt: row["expires_at"])
    }
}
