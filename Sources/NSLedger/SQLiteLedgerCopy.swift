import Foundation
import GRDB
import NSCore
import NSSQLite

/// Builds the SQLite ledger file an SQLite ns-node keeps (``LedgerSchema``) from copied rows:
/// how a backup of a ledger on PostgreSQL becomes the archive's `neuroswarm_chain.db`, which
/// ``SQLiteLedgerStore`` opens and `nsctl chain verify --db` audits like any other.
///
/// Rows arrive in batches (``insert(_:into:)``); ``finish()`` fills the lookup tables from the
/// stored transactions in key order and moves `lookup_frontier` past the last leaf, so the store
/// opens it without re-indexing anything.
public final class SQLiteLedgerCopyWriter: Sendable {
    private let writer: SQLiteTableCopyWriter

    /// Creates the file at `path`, which must not exist. Commits are not synced one by one: the
    /// caller fsyncs the finished file.
    public init(path: String) throws {
        writer = try SQLiteTableCopyWriter(path: path, schema: LedgerSchema.register(in:))
    }

    /// Appends `rows` (in `table`'s column order) to `table`, in one transaction.
    public func insert(_ rows: [TableCopy.Row], into table: TableCopy.Table) throws {
        try writer.insert(rows, into: table)
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
        try writer.write { db in
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
        try writer.close()
    }
}
