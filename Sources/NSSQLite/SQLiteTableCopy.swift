import Foundation
import GRDB
import NSCore

/// Writes ``TableCopy`` rows into a new SQLite file laid out as a node keeps it: how a backup of a
/// schema on PostgreSQL becomes the archive's database file (the ledger's `neuroswarm_chain.db`,
/// admin-node's `admin.db`), which the SQLite node and `nsctl` then open like any other.
public final class SQLiteTableCopyWriter: Sendable {
    private let queue: DatabaseQueue

    /// Creates the file at `path`, which must not exist, with the tables `schema` registers.
    /// Commits are not synced one by one: the caller fsyncs the finished file.
    public init(path: String, schema: (inout DatabaseMigrator) -> Void) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw DatabaseError(message: "\(path) already exists") }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        schema(&migrator)
        try migrator.migrate(queue)
    }

    /// Appends `rows` (in `table`'s column order) to `table`, in one transaction.
    public func insert(_ rows: [TableCopy.Row], into table: TableCopy.Table) throws {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        try queue.write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(placeholders))")
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
            }
        }
    }

    /// Runs `body` in a write transaction: for what the copy derives from the copied rows.
    public func write(_ body: (Database) throws -> Void) throws {
        try queue.write(body)
    }

    public func close() throws {
        try queue.close()
    }
}

/// Reads the copied tables of an SQLite file in batches of ``TableCopy/batchSize`` rows, in each
/// table's key order: how `nsctl restore` imports a backup (or an SQLite node's file) into
/// PostgreSQL without holding a table in memory.
public struct SQLiteTableCopyReader: Sendable {
    private let queue: DatabaseQueue

    /// Brings the file at `path` up to the current tables of `schema`, in place, as the node
    /// opening it would: a backup taken by an older nsd lacks the columns and tables later
    /// migrations add. For a copy the caller owns (a restore's unpacked archive).
    public static func upgrade(path: String, schema: (inout DatabaseMigrator) -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        schema(&migrator)
        try migrator.migrate(queue)
        try queue.close()
    }

    /// Opens `path` read-only; the file must not change while it is read (a restore reads its own
    /// unpacked copy).
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Calls `body` with each batch of `table`'s rows, in key order, resuming each read after the
    /// last key of the batch before.
    public func forEachBatch(of table: TableCopy.Table, _ body: ([TableCopy.Row]) async throws -> Void) async throws {
        let keys = table.orderBy.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let keyIndexes = keys.compactMap { key in table.columns.firstIndex { $0.name == key } }
        let keyList = keys.joined(separator: ", ")
        var after: [DatabaseValue]?
        while true {
            let bound = after
            let batch = try await queue.read { db -> [TableCopy.Row] in
                let condition = bound == nil ? "" : "WHERE (\(keyList)) > (\(Array(repeating: "?", count: keys.count).joined(separator: ", ")))"
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(table.columnList) FROM \(table.name) \(condition) ORDER BY \(keyList) LIMIT \(TableCopy.batchSize)
                    """, arguments: StatementArguments(bound ?? []))
                return try rows.map { row in try table.columns.indices.map { try TableCopy.Value(row[$0] as DatabaseValue, table: table.name) } }
            }
            if !batch.isEmpty { try await body(batch) }
            guard batch.count == TableCopy.batchSize, let last = batch.last else { return }
            after = keyIndexes.map { last[$0].databaseValue }
        }
    }

    public func close() throws {
        try queue.close()
    }
}

extension TableCopy.Value {
    var databaseValue: DatabaseValue {
        switch self {
        case .integer(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): Data(value).databaseValue
        case .null: .null
        }
    }

    init(_ value: DatabaseValue, table: String) throws {
        switch value.storage {
        case .int64(let integer): self = .integer(integer)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(Array(data))
        case .null: self = .null
        case .double: throw DatabaseError(message: "\(table) holds a real number where the copied tables store none")
        }
    }
}
