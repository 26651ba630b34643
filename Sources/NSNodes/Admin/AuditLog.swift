import Foundation
import GRDB
import NSCore
import NSSQLite

/// The audit trail: appends chained entries (each inside one write transaction, so the chain never
/// forks under concurrent requests) and reads them back, newest first, filtered.
public struct AuditLog: Sendable {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    /// What an action is about; the log fills in sequence, time and the chain.
    public typealias Event = AuditEvent

    /// Appends `event` in a transaction of its own. Throws when admin.db refuses the write; admin-node
    /// then does not do what the entry was for (``AdminAudit``).
    @discardableResult
    public func append(_ event: Event, now: Date = Date()) throws -> AuditEntry {
        try pool.write { db in try append(event, now: now, in: db) }
    }

    /// Appends `event` inside the caller's transaction, so a change to admin.db and its entry commit
    /// together. The writer's transaction serialises appends, so the chain never forks.
    @discardableResult
    func append(_ event: Event, now: Date = Date(), in db: Database) throws -> AuditEntry {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        var entry = AuditEntry(sequence: (last?["seq"] as Int64? ?? 0) + 1, time: Int64(now.timeIntervalSince1970 * 1000), event: event,
                               previousHash: last?["hash"] as String? ?? AuditChain.genesisHash)
        entry.hash = entry.computedHash
        try db.execute(sql: """
            INSERT INTO audit (seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.sequence, entry.time, entry.actor, entry.role, entry.source, entry.action, entry.target,
                             entry.outcome, entry.correlationID, entry.previousHash, entry.hash])
        return entry
    }

    /// Newest first; `actor` and `action` filter exactly when given.
    public func recent(limit: Int, actor: String? = nil, action: String? = nil) throws -> [AuditEntry] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let actor { conditions.append("actor = ?"); arguments.append(actor) }
            if let action { conditions.append("action = ?"); arguments.append(action) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY seq DESC LIMIT ?",
                                    arguments: StatementArguments(arguments + [limit])).map(AuditEntry.init(auditRow:))
        }
    }

    /// The newest entry, or `nil` for an empty trail: what admin-node anchors (``AuditAnchor``).
    public func head() throws -> AuditEntry? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT 1").map(AuditEntry.init(auditRow:)) }
    }

    /// The entry numbered `sequence`, if the trail holds it.
    public func entry(sequence: Int64) throws -> AuditEntry? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit WHERE seq = ?", arguments: [sequence]).map(AuditEntry.init(auditRow:)) }
    }

    /// Every entry in order, for verification.
    public func all() throws -> [AuditEntry] {
        try pool.read { db in try AuditEntry.fetchAllInOrder(db) }
    }
}
