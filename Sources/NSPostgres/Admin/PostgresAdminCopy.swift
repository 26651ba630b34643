import Logging
import NSCore
import PostgresNIO

/// admin-node's state in the `admin` schema (audit trail and sessions) as ``AdminCopy`` rows: read
/// out in one snapshot (how `nsctl backup admin-node-data` copies it into an `admin.db`), and
/// written into a freshly migrated schema that replaces the current one (how `nsctl restore` puts
/// a backup, or an SQLite admin-node's admin.db, into PostgreSQL).
public enum PostgresAdminCopy {
    static let schema = PostgresAdminSchema.migrator.schema

    /// The problem when the database holds no admin-node state.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "the database holds no admin-node state (no schema admin); start an admin-node on it first, or restore one" }
    }

    /// Streams every table of ``AdminCopy/tables`` to `sink` in batches of ``TableCopy/batchSize``
    /// rows, all from one REPEATABLE READ READ ONLY transaction: the sessions and the trail are
    /// those of one instant, however long the copy takes. Throws ``Missing`` when there is no
    /// `admin` schema.
    public static func export(_ database: PostgresDatabase,
                              to sink: @escaping @Sendable (TableCopy.Table, [TableCopy.Row]) async throws -> Void) async throws {
        let logger = database.queryLogger
        try await database.snapshot { connection in
            guard try await PostgresTableCopy.schemaExists(schema, connection, logger: logger) else { throw Missing() }
            try await PostgresTableCopy.export(AdminCopy.tables, of: schema, connection, logger: logger, to: sink)
        }
    }

    /// In one transaction: renames the `admin` schema to `keepingAs` (nothing is deleted), creates
    /// it again through ``PostgresAdminSchema/migrator`` and fills it from `source` (called once per
    /// table in ``AdminCopy/tables`` order with an `insert` that writes one batch). The schema's
    /// chain keys refuse a trail whose entries do not link, rolling everything back. Returns the
    /// schema the previous state now lives in, or `nil` when there was none.
    public static func replace(_ database: PostgresDatabase, keepingAs previous: String,
                               from source: @escaping @Sendable (TableCopy.Table, _ insert: ([TableCopy.Row]) async throws -> Void) async throws -> Void)
        async throws -> String? {
        try await PostgresTableCopy.replace(database, migrator: PostgresAdminSchema.migrator, keepingAs: previous) { connection, logger in
            for table in AdminCopy.tables {
                try await source(table) { rows in
                    try await PostgresTableCopy.insert(rows, columns: table.columns.map(\.name), into: table, of: schema, connection, logger: logger)
                }
            }
        }
    }
}
