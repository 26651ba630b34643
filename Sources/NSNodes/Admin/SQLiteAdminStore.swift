import Foundation
import GRDB
import NSCore
import NSSQLite

/// ``AdminStore`` over admin-node's SQLite file, `admin-node-data/admin.db` (tables in ``AdminSchema``).
///
/// Every write runs in GRDB's write transaction, which SQLite opens IMMEDIATE: it takes the file's
/// write lock before reading the chain's last entry, so appends are serialised by the database
/// itself and two stores on one file (two pools, as the conformance tests open) still extend one
/// chain. A session write and its audit entry share that transaction.
public struct SQLiteAdminStore: AdminStore {
    let pool: DatabasePool

    /// `pool` is admin.db, migrated with ``AdminSchema``.
    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func append(_ event: AuditEvent, now: Date) async throws -> AuditEntry {
        try await pool.write { db in try Self.append(event, now: now, in: db) }
    }

    /// Newest first; `actor` and `action` filter exactly when given.
    public func recent(limit: Int, actor: String?, action: String?) async throws -> [AuditEntry] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let actor { conditions.append("actor = ?"); arguments.append(actor) }
            if let action { conditions.append("action = ?"); arguments.append(action) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY seq DESC LIMIT ?",
                                    arguments: StatementArguments(arguments + [limit])).map(AuditEntry.init(auditRow:))
        }
    }

    public func head() async throws -> AuditEntry? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT 1").map(AuditEntry.init(auditRow:)) }
    }

    public func entry(sequence: Int64) async throws -> AuditEntry? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit WHERE seq = ?", arguments: [sequence]).map(AuditEntry.init(auditRow:)) }
    }

    public func all() async throws -> [AuditEntry] {
        try await pool.read { db in try AuditEntry.fetchAllInOrder(db) }
    }

    /// A read round trip, as every node's `/health` store check (``NodeDatabase/check()``): a
    /// file that stopped taking writes shows in the 503 of the next audited request instead.
    public func check() async throws {
        try await NodeDatabase.probe(pool)
    }

    /// Appends `event` inside the caller's write transaction, which holds SQLite's write lock: the
    /// last entry read here is still the last when the new one is inserted.
    static func append(_ event: AuditEvent, now: Date, in db: Database) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        var entry = AuditEntry(sequence: (last?["seq"] as Int64? ?? 0) + 1, time: now.unixMs, event: event,
                               previousHash: last?["hash"] as String? ?? AuditChain.genesisHash)
        entry.hash = entry.computedHash
        try db.execute(sql: """
            INSERT INTO audit (seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.sequence, entry.time, entry.actor, entry.role, entry.source, entry.action, entry.target,
                             entry.outcome, entry.correlationID, entry.previousHash, entry.hash])
        return entry
    }
}
