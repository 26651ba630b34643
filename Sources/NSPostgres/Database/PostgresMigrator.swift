import Logging
import NSCore
import PostgresNIO

/// A schema change: statements run in order, in the transaction of the migrator (postgres-nio
/// runs one statement per query).
public struct PostgresMigration: Sendable {
    /// Recorded in `<schema>.schema_migrations`; never reused for other statements.
    public let version: String
    public let statements: [String]

    public init(version: String, statements: [String]) {
        self.version = version
        self.statements = statements
    }
}

/// Brings one schema up to date at start: in one transaction under a transaction-level advisory
/// lock, so nodes starting together apply each migration once (the second waits, then finds
/// them applied). Versions are recorded in `<schema>.schema_migrations`.
public struct PostgresMigrator: Sendable {
    public let schema: String
    /// The advisory lock key (`pg_advisory_xact_lock`), one per schema.
    public let lockKey: Int64
    public let migrations: [PostgresMigration]

    /// `schema` must be a plain lower-case identifier; it is written into the SQL as it is.
    public init(schema: String, lockKey: Int64, migrations: [PostgresMigration]) {
        precondition(schema.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, "schema \(schema) is not a plain identifier")
        self.schema = schema
        self.lockKey = lockKey
        self.migrations = migrations
    }

    /// Applies the missing migrations, then `after` (say, genesis rows) in the same transaction,
    /// and returns the versions it applied. Refuses a database that records a version this binary
    /// does not know: a newer nsd migrated it, and this one would misread it.
    @discardableResult
    public func migrate(_ database: PostgresDatabase,
                        after: @escaping @Sendable (PostgresConnection) async throws -> Void = { _ in }) async throws -> [String] {
        let logger = database.queryLogger
        let applied = try await database.write { connection in
            let applied = try await self.apply(on: connection, logger: logger)
            try await after(connection)
            return applied
        }
        if !applied.isEmpty {
            database.logger.info("PostgreSQL schema migrated", metadata: ["schema": .string(schema), "applied": .string(applied.joined(separator: ", "))])
        }
        return applied
    }

    /// Applies the missing migrations in the caller's transaction on `connection`, under the
    /// migration lock, and returns the versions it applied: for a caller that must change more in
    /// the same transaction (`nsctl restore` renames the old schema first and imports after).
    public func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
        try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS \(unescaped: schema).schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: Set<String> = []
        for try await version in try await connection.query("SELECT version FROM \(unescaped: schema).schema_migrations",
                                                             logger: logger).decode(String.self) {
            recorded.insert(version)
        }
        let known = Set(migrations.map(\.version))
        if let unknown = recorded.subtracting(known).sorted().first {
            throw ConfigurationError(variable: "DATABASE_URL",
                                     problem: "holds schema \(schema) at migration \(unknown), which this nsd does not know (a newer nsd migrated it)",
                                     fix: "run the nsd version that migrated it, or a newer one")
        }
        var applied: [String] = []
        for migration in migrations where !recorded.contains(migration.version) {
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO \(unescaped: schema).schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            applied.append(migration.version)
        }
        return applied
    }
}
