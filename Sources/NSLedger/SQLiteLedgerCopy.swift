import Foundation
import GRDB
import NSCore

/// Builds the SQLite ledger file an SQLite ns-node keeps (``LedgerSchema``) from copied rows:
/// how a backup of a ledger on PostgreSQL becomes the archive's `neuroswarm_chain.db`, which
/// ``SQLiteLedgerStore`` opens and `nsctl chain verify --db` audits like any other.
///
/// Rows arrive in batches (``insert(_:into:)``); ``finish()`` fills the lookup tables from the
/// stored transactions in key order and moves `lookup_frontier` past the last leaf, so the store
/// opens it without re-indexing anything.
public final class SQLiteLedgerCopyWriter: Sendable {
    private let queue: DatabaseQueue

    /// Creates the file at `path`, which must not exist. Commits are not synced one by one: the
    /// caller fsyncs the finished file.
    public init(path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw LedgerError.storage("\(path) already exists") }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        LedgerSchema.register(in: &migrator)
        try migrator.migrate(queue)
    }

    /// Appends `rows` (in `table`'s column order) to `table`, in one transaction.
    public func insert(_ rows: [LedgerCopy.Row], into table: LedgerCopy.Table) throws {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        try queue.write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(placeholders))")
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
            }
        }
    }

    /// Fills `tx_lookup`, `artifact_lookup` and `job_lookup` (SQLite sorts the entries by key
    /// before they reach the tables, as a node's batches do), sets the frontier, and closes.
    public func finish() throws {
        let digestKey = DatabaseFunction("ns_copy_digest_key", argumentCount: 1, pure: true) { arguments in
            guard let bytes = Data.fromDatabaseValue(arguments[0]), let key = LedgerCopy.lookupKey(Array(bytes)) else {
                throw DatabaseError(message: "a stored digest is not 32 bytes")
            }
            return key
        }
        let jobKey = DatabaseFunction("ns_copy_job_key", argumentCount: 1, pure: true) { arguments in
            guard let body = Data.fromDatabaseValue(arguments[0]), let key = LedgerCopy.jobKey(body: Array(body)) else {
                throw DatabaseError(message: "a stored transaction's body records no job id")
            }
            return key
        }
        try queue.write { db in
            db.add(function: digestKey)
            db.add(function: jobKey)
            defer {
                db.remove(function: digestKey)
                db.remove(function: jobKey)
            }
            try db.execute(sql: """
                INSERT INTO tx_lookup (key, leaf_index) SELECT ns_copy_digest_key(hash), leaf_index FROM txs ORDER BY 1, 2;
                INSERT INTO artifact_lookup (key, leaf_index) SELECT ns_copy_digest_key(artifact), leaf_index FROM txs ORDER BY 1, 2;
                INSERT INTO job_lookup (key, leaf_index) SELECT ns_copy_job_key(body), leaf_index FROM txs ORDER BY 1, 2;
                UPDATE lookup_frontier SET indexed = (SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM txs) WHERE id = 1;
                """)
        }
        try queue.close()
    }
}

/// Reads the copied tables of an SQLite ledger file in batches of ``LedgerCopy/batchSize`` rows,
/// in each table's key order: how `nsctl restore` imports a backup (or an SQLite ns-node's
/// ledger) into PostgreSQL without holding a table in memory.
public struct SQLiteLedgerCopyReader: Sendable {
    private let queue: DatabaseQueue

    /// Brings the ledger file at `path` up to the current tables (``LedgerSchema``), in place, as an
    /// ns-node opening it would: a backup taken by an older nsd lacks the columns and tables later
    /// migrations add. For a copy the caller owns (a restore's unpacked archive).
    public static func upgrade(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        LedgerSchema.register(in: &migrator)
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
    public func forEachBatch(of table: LedgerCopy.Table, _ body: ([LedgerCopy.Row]) async throws -> Void) async throws {
        let keys = table.orderBy.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let keyIndexes = keys.compactMap { key in table.columns.firstIndex { $0.name == key } }
        let keyList = keys.joined(separator: ", ")
        var after: [DatabaseValue]?
        while true {
            let bound = after
            let batch = try await queue.read { db -> [LedgerCopy.Row] in
                let condition = bound == nil ? "" : "WHERE (\(keyList)) > (\(Array(repeating: "?", count: keys.count).joined(separator: ", ")))"
                let rows = try Row.fetchAll(db, sql: """
                    SELECT \(table.columnList) FROM \(table.name) \(condition) ORDER BY \(keyList) LIMIT \(LedgerCopy.batchSize)
                    """, arguments: StatementArguments(bound ?? []))
                return try rows.map { row in try table.columns.indices.map { try LedgerCopy.Value(row[$0] as DatabaseValue, table: table.name) } }
            }
            if !batch.isEmpty { try await body(batch) }
            guard batch.count == LedgerCopy.batchSize, let last = batch.last else { return }
            after = keyIndexes.map { last[$0].databaseValue }
        }
    }

    public func close() throws {
        try queue.close()
    }
}

extension LedgerCopy.Value {
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
        case .double: throw LedgerError.storage("\(table) holds a real number where the ledger stores none")
        }
    }
}
