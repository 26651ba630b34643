import Foundation
import Logging
import NSCore
import PostgresNIO

/// `admin.sessions`: each write shares its transaction (and the append lock) with its audit entry,
/// so a sign-in is stored with its entry or not at all, on whichever admin-node it lands.
extension PostgresAdminStore {
    /// Expired and revoked sessions are kept this long for the sessions page, then dropped (the
    /// SQLite store keeps them as long).
    static let sessionRetentionMs: Int64 = 86_400_000

    public func createSession(_ session: AdminSession, audited event: AuditEvent, now: Date) async throws -> AuditEntry {
        try await appending { connection, logger in
            try await connection.query("""
                INSERT INTO admin.sessions (id_hash, subject, role, csrf, source, created_at, expires_at)
                VALUES (\(session.idHash), \(session.subject), \(session.role.rawValue), \(session.csrf), \(session.source),
                        \(session.createdAt), \(session.expiresAt))
                """, logger: logger)
            let cutoff = now.unixMs - Self.sessionRetentionMs
            try await connection.query("DELETE FROM admin.sessions WHERE expires_at < \(cutoff) OR revoked_at < \(cutoff)", logger: logger)
            return try await Self.append(event, now: now, on: connection, logger: logger)
        }
    }

    public func revokeSession(idHash: String, audited event: AuditEvent, now: Date, failedOutcome: String?) async throws -> Bool {
        try await appending { connection, logger in
            var ended = false
            for try await _ in try await connection.query("""
                UPDATE admin.sessions SET revoked_at = \(now.unixMs) WHERE id_hash = \(idHash) AND revoked_at IS NULL RETURNING id_hash
                """, logger: logger) {
                ended = true
            }
            var entry = event
            if !ended, let failedOutcome { entry.outcome = failedOutcome }
            _ = try await Self.append(entry, now: now, on: connection, logger: logger)
            return ended
        }
    }

    public func session(idHash: String, now: Int64) async throws -> AdminSession? {
        try await sessions("""
            SELECT \(unescaped: Self.sessionColumns) FROM admin.sessions WHERE id_hash = \(idHash) AND revoked_at IS NULL AND expires_at > \(now)
            """).first
    }

    public func activeSessions(now: Int64) async throws -> [AdminSession] {
        try await sessions("""
            SELECT \(unescaped: Self.sessionColumns) FROM admin.sessions WHERE revoked_at IS NULL AND expires_at > \(now) ORDER BY created_at DESC
            """)
    }

    /// The columns ``sessions(_:)`` decodes, in its order.
    private static let sessionColumns = "id_hash, subject, role, csrf, source, created_at, expires_at"

    /// The sessions `query` selects; a row whose role this build does not know is left out (it
    /// grants nothing), as the SQLite store does.
    private func sessions(_ query: PostgresQuery) async throws -> [AdminSession] {
        try await database.read { [logger = database.queryLogger] connection in
            var sessions: [AdminSession] = []
            for try await (idHash, subject, role, csrf, source, createdAt, expiresAt) in try await connection.query(
                query, logger: logger).decode((String, String, String, String, String, Int64, Int64).self) {
                guard let role = OperatorRole(rawValue: role) else { continue }
                sessions.append(AdminSession(idHash: idHash, subject: subject, role: role, csrf: csrf, source: source,
                                             createdAt: createdAt, expiresAt: expiresAt))
            }
            return sessions
        }
    }
}
