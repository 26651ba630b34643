import Foundation
import Logging
import NIOCore
import NSCore
import PostgresNIO

/// ``TableCopy`` tables of one PostgreSQL schema, read out and written in: what the ledger's copy
/// (``PostgresLedgerCopy``) and admin-node's (``PostgresAdminCopy``) have in common.
public enum PostgresTableCopy {
    /// Whether `schema` exists, on the caller's connection (and in its snapshot).
    static func schemaExists(_ schema: String, _ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = \(schema))", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Streams every table of `tables`, in order, from `schema` to `sink` in batches of
    /// ``TableCopy/batchSize`` rows, inside the caller's transaction (a snapshot): the next rows
    /// are read only as `sink` takes the batches before.
    static func export(_ tables: [TableCopy.Table], of schema: String, _ connection: PostgresConnection, logger: Logger,
                       to sink: @escaping @Sendable (TableCopy.Table, [TableCopy.Row]) async throws -> Void) async throws {
        for table in tables {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \(table.columnList) FROM \(schema).\(table.name) ORDER BY \(table.orderBy)
                """), logger: logger)
            var batch: [TableCopy.Row] = []
            batch.reserveCapacity(TableCopy.batchSize)
            for try await row in rows {
                batch.append(try zip(row, table.columns).map { cell, column in try value(cell, column.type) })
                if batch.count == TableCopy.batchSize {
                    try await sink(table, batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try await sink(table, batch) }
        }
    }

    /// In one transaction: renames the migrator's schema to `previous` (nothing is deleted),
    /// creates it again through `migrator`, then runs `fill` in the same transaction. Any failure
    /// rolls all of it back, leaving the schema as it was. Returns the schema the previous rows
    /// now live in, or `nil` when there was none. The database's deadline
    /// (``PostgresDatabase/Settings/timeout``) bounds the whole import: give the database a long one.
    static func replace(_ database: PostgresDatabase, migrator: PostgresMigrator, keepingAs previous: String,
                        fill: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void) async throws -> String? {
        precondition(previous.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, "\(previous) is not a plain identifier")
        let logger = database.queryLogger
        return try await database.write { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrator.lockKey))", logger: logger)
            let existed = try await schemaExists(migrator.schema, connection, logger: logger)
            if existed {
                try await connection.query("ALTER SCHEMA \(unescaped: migrator.schema) RENAME TO \(unescaped: previous)", logger: logger)
            }
            _ = try await migrator.apply(on: connection, logger: logger)
            try await fill(connection, logger)
            return existed ? previous : nil
        }
    }

    /// One multi-row INSERT of `rows` into `schema.table`, `columns` naming each value of a row
    /// in order; tables whose `seq` PostgreSQL generates keep the copied values.
    static func insert(_ rows: [TableCopy.Row], columns: [String], into table: TableCopy.Table, of schema: String,
                       _ connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        var bindings = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            let first = bindings.count
            tuples.append("(" + (1...row.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            for value in row {
                switch value {
                case .integer(let integer): bindings.append(integer)
                case .text(let text): bindings.append(text)
                case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
                case .null: bindings.appendNull()
                }
            }
        }
        let overriding = table.generatedSeq ? " OVERRIDING SYSTEM VALUE" : ""
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(schema).\(table.name) (\(columns.joined(separator: ", ")))\(overriding) VALUES \(tuples.joined(separator: ", "))
            """, binds: bindings), logger: logger)
    }

    private static func value(_ cell: PostgresCell, _ type: TableCopy.ColumnType) throws -> TableCopy.Value {
        switch type {
        case .integer: .integer(try cell.decode(Int64.self))
        case .optionalInteger: try cell.decode(Int64?.self).map(TableCopy.Value.integer) ?? .null
        case .text: .text(try cell.decode(String.self))
        case .blob: .blob(try cell.decode(ByteBuffer.self).byteArray)
        }
    }
}
