import Foundation
import Logging
import NSCore
import PostgresNIO

/// ``AdminStore`` on PostgreSQL (schema `admin`, ``PostgresAdminSchema``), for several admin-nodes
/// over one database: they share sessions and extend one audit chain.
///
/// Every append runs in a write transaction that first takes the advisory lock
/// ``PostgresAdminSchema/appendLockKey`` and only then reads the chain's head, so appends from every
/// admin-node are serialised by the database; the schema's keys refuse a fork even from a writer
/// that skipped the lock. A session write and its audit entry share that transaction. Entries,
/// hashes and outcomes are those of the SQLite store, entry for entry.
public struct PostgresAdminStore: AdminStore {
    let database: PostgresDatabase

    /// A store over a database already migrated with ``PostgresAdminSchema/migrator``; use
    /// ``open(database:)`` at start.
    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// Migrates schema `admin` (under its own advisory lock, so admin-nodes starting together
    /// apply each migration once) and returns the store. `database` must be running
    /// (``PostgresDatabase/run()``) for this to proceed. Throws a `ConfigurationError` naming
    /// `DATABASE_URL` when a newer nsd migrated the schema, and a ``PostgresDatabaseError`` when
    /// the database cannot be reached in time.
    public static func open(database: PostgresDatabase) async throws -> PostgresAdminStore {
        try await PostgresAdminSchema.migrator.migrate(database)
        return PostgresAdminStore(database: database)
    }

    public func append(_ event: AuditEvent, now: Date) async throws -> AuditEntry {
        try await appending { connection, logger in try await Self.append(event, now: now, on: connection, logger: logger) }
    }

    public func recent(limit: Int, actor: String?, action: String?) async throws -> [AuditEntry] {
        // As SQLite's LIMIT, a negative limit is none (LIMIT NULL).
        let limit: Int64? = limit < 0 ? nil : Int64(limit)
        return try await entries("""
            SELECT \(unescaped: Self.columns) FROM admin.audit
            WHERE (\(actor)::text IS NULL OR actor = \(actor)) AND (\(action)::text IS NULL OR action = \(action))
            ORDER BY seq DESC LIMIT \(limit)
            """)
    }

    public func head() async throws -> AuditEntry? {
        try await entries("SELECT \(unescaped: Self.columns) FROM admin.audit ORDER BY seq DESC LIMIT 1").first
    }

    public func entry(sequence: Int64) async throws -> AuditEntry? {
        try await entries("SELECT \(unescaped: Self.columns) FROM admin.audit WHERE seq = \(sequence)").first
    }

    public func all() async throws -> [AuditEntry] {
        try await entries("SELECT \(unescaped: Self.columns) FROM admin.audit ORDER BY seq")
    }

    /// A write transaction on the host ``PostgresDatabase`` located as the primary, refused when
    /// that host would not take a write (a standby, or `default_transaction_read_only`): /health
    /// then fails before an audited request would.
    public func check() async throws {
        let readOnly = try await database.write { [logger = database.queryLogger] connection in
            var readOnly = true
            for try await (setting, recovering) in try await connection.query(
                "SELECT current_setting('transaction_read_only'), pg_is_in_recovery()", logger: logger).decode((String, Bool).self) {
                readOnly = setting != "off" || recovering
            }
            return readOnly
        }
        if readOnly { throw PostgresDatabaseError.unavailable("the primary does not take writes (read-only or in recovery)") }
    }

    /// `body` in a write transaction that holds the append lock. A chain constraint refused
    /// anyway means a writer appended without the lock; nothing is written and the refusal
    /// (``PostgresDatabaseError/refused(sqlState:constraint:message:)``) is thrown, as any other.
    func appending<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await database.write { [logger = database.queryLogger] connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresAdminSchema.appendLockKey))", logger: logger)
            return try await body(connection, logger)
        }
    }

    /// Appends `event` inside the caller's transaction, which holds the append lock: the head read
    /// here is still the head when the new entry is inserted.
    static func append(_ event: AuditEvent, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> AuditEntry {
        var last: (seq: Int64, hash: String)?
        for try await row in try await connection.query("SELECT seq, hash FROM admin.audit ORDER BY seq DESC LIMIT 1",
                                                        logger: logger).decode((Int64, String).self) {
            last = row
        }
        var entry = AuditEntry(sequence: (last?.seq ?? 0) + 1, time: now.unixMs, event: event, previousHash: last?.hash ?? AuditChain.genesisHash)
        entry.hash = entry.computedHash
        try await connection.query("""
            INSERT INTO admin.audit (seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash)
            VALUES (\(entry.sequence), \(entry.time), \(entry.actor), \(entry.role), \(entry.source), \(entry.action), \(entry.target),
                    \(entry.outcome), \(entry.correlationID), \(entry.previousHash), \(entry.hash))
            """, logger: logger)
        return entry
    }

    /// The columns ``entries(_:)`` decodes, in its order.
    private static let columns = "seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash"

    private func entries(_ query: PostgresQuery) async throws -> [AuditEntry] {
        try await database.read { [logger = database.queryLogger] connection in
            var entries: [AuditEntry] = []
            for try await (seq, time, actor, role, source, action, target, outcome, correlationID, previousHash, hash) in try await connection.query(
                query, logger: logger).decode((Int64, Int64, String, String, String, String, String, String, String, String, String).self) {
                entries.append(AuditEntry(sequence: seq, time: time, actor: actor, role: role, source: source, action: action, target: target,
                                          outcome: outcome, correlationID: correlationID, previousHash: previousHash, hash: hash))
            }
            return entries
        }
    }
}
