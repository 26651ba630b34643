import Foundation
import GRDB
import NSCore
import NSSQLite

/// The ledger's lookups of committed transactions by tx hash, by artifact digest and by job id.
///
/// `tx_lookup` and `artifact_lookup` map a digest's 8-byte key (``MerkleHash/lookupKey``) to leaf
/// indexes, and `job_lookup` (``JobLookups``) a job id's key, for every leaf below
/// `lookup_frontier.indexed`; the leaves above it are in ``PendingLookups``. A key is a prefix, so
/// every candidate leaf is confirmed against the full digest (or job id) in its `txs` row.
///
/// Migration `v3-batched-lookups` replaces the two indexes on `txs` with the first two tables and
/// fills them from the rows already committed; `v4-job-lookup` adds the third.
enum LookupTables {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-batched-lookups") { db in
            try db.execute(sql: """
                CREATE TABLE tx_lookup (key INTEGER NOT NULL, leaf_index INTEGER NOT NULL, PRIMARY KEY (key, leaf_index)) WITHOUT ROWID;
                CREATE TABLE artifact_lookup (key INTEGER NOT NULL, leaf_index INTEGER NOT NULL, PRIMARY KEY (key, leaf_index)) WITHOUT ROWID;
                INSERT INTO tx_lookup (key, leaf_index) SELECT hash_key, leaf_index FROM txs ORDER BY hash_key;
                INSERT INTO artifact_lookup (key, leaf_index) SELECT artifact_key, leaf_index FROM txs ORDER BY artifact_key;
                CREATE TABLE lookup_frontier (id INTEGER PRIMARY KEY CHECK (id = 1), indexed INTEGER NOT NULL);
                INSERT INTO lookup_frontier (id, indexed) SELECT 1, COALESCE(MAX(leaf_index) + 1, 0) FROM txs;
                DROP INDEX txs_by_hash;
                DROP INDEX txs_by_artifact;
                ALTER TABLE txs DROP COLUMN hash_key;
                ALTER TABLE txs DROP COLUMN artifact_key;
                """)
        }
    }

    /// The first leaf not in the tables.
    static func frontier(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT indexed FROM lookup_frontier WHERE id = 1") ?? 0
    }

    /// The entries of the committed leaves from `first` on, read back from their rows (after a
    /// restart, the pending entries are gone with the process). The job id is read from each body.
    static func entries(from first: Int64, _ db: Database) throws -> [PendingLookups.Entry] {
        try Row.fetchAll(db, sql: "SELECT leaf_index, hash, artifact, body FROM txs WHERE leaf_index >= ? ORDER BY leaf_index", arguments: [first]).map { row in
            let leaf: Int64 = row[0]
            guard let jobID = LedgerJobKey.jobID(inBody: Array(row[3] as Data)) else {
                // Every stored body was a valid transaction when it was appended: this one is damaged.
                throw LedgerError.storage("the transaction at leaf \(leaf) records no job id")
            }
            return PendingLookups.Entry(leaf: leaf, hashKey: MerkleHash(Array(row[1] as Data)).lookupKey,
                                        artifactKey: MerkleHash(Array(row[2] as Data)).lookupKey, jobKey: LedgerJobKey.of(jobID))
        }
    }

    /// Writes `entries` (consecutive leaves, in leaf order) into the tables in key order and
    /// moves the frontier past them, in the caller's transaction.
    static func write(_ entries: [PendingLookups.Entry], _ db: Database) throws {
        guard let last = entries.last else { return }
        let tables = [("tx_lookup", entries.map { ($0.hashKey, $0.leaf) }), ("artifact_lookup", entries.map { ($0.artifactKey, $0.leaf) }),
                      ("job_lookup", entries.map { ($0.jobKey, $0.leaf) })]
        for (table, pairs) in tables {
            let insert = try BoundStatement(db, sql: "INSERT INTO \(table) (key, leaf_index) VALUES (?, ?)")
            for (key, leaf) in pairs.sorted(by: <) {
                try insert.bind(key, at: 1)
                try insert.bind(leaf, at: 2)
                try insert.run()
            }
        }
        try db.execute(sql: "UPDATE lookup_frontier SET indexed = ? WHERE id = 1", arguments: [last.leaf + 1])
    }

    /// Where committed transactions sit, asked by hash inside the writer's transaction. Prepared
    /// once per transaction: an append asks a thousand times per block.
    struct Committed {
        private let indexed: BoundStatement
        private let byLeaf: BoundStatement
        private let pending: PendingLookups

        init(pending: PendingLookups, _ db: Database) throws {
            indexed = try BoundStatement(db, sql: """
                SELECT t.hash, t.leaf_index, t.block_height FROM tx_lookup l JOIN txs t ON t.leaf_index = l.leaf_index WHERE l.key = ?
                """)
            byLeaf = try BoundStatement(db, sql: "SELECT hash, leaf_index, block_height FROM txs WHERE leaf_index = ?")
            self.pending = pending
        }

        /// The leaf and block height of the committed transaction with `hash`, if there is one.
        func callAsFunction(_ hash: MerkleHash) throws -> (leaf: Int64, height: Int64)? {
            let match = { (row: BoundRow) in row.bytes(0).elementsEqual(hash.bytes) ? (leaf: row.int64(1), height: row.int64(2)) : nil }
            try indexed.bind(hash.lookupKey, at: 1)
            if let found = try indexed.first(where: match) { return found }
            for leaf in pending.leaves(hashKey: hash.lookupKey) {
                try byLeaf.bind(leaf, at: 1)
                if let found = try byLeaf.first(where: match) { return found }
            }
            return nil
        }
    }

    /// Up to `limit` indexed candidate leaves for `key` below leaf `below`, newest first: one
    /// backwards range of the table's primary key, whose cost does not grow with the number of
    /// leaves under the key. For readers that want the newest match (``JobLookups/newestCommitted(_:pending:_:)``);
    /// the leaves in ``PendingLookups`` are the caller's to add.
    static func newestLeaves(key: Int64, in table: String, below: Int64, limit: Int, _ db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT leaf_index FROM \(table) WHERE key = ? AND leaf_index < ? ORDER BY leaf_index DESC LIMIT ?",
                           arguments: [key, below, limit])
    }

    /// Every candidate leaf for a digest's `key`: the pending ones (read by the caller before its
    /// snapshot began) and the indexed ones, ascending.
    static func leaves(key: Int64, in table: String, pending: [Int64], _ db: Database) throws -> [Int64] {
        let indexed = try Int64.fetchAll(db, sql: "SELECT leaf_index FROM \(table) WHERE key = ?", arguments: [key])
        return Set(indexed + pending).sorted()
    }
}
