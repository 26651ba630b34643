import Foundation
import GRDB
import NSCore
import NSSQLite

/// The ledger's lookup of transactions by the job id they record, so that a client can still
/// learn what became of a job once the queue has deleted its record (`JOB_RETENTION_MS`).
///
/// Committed transactions are found through `job_lookup`, which ``LookupTables`` writes in the
/// same sorted batches as `tx_lookup` and `artifact_lookup` (the entries wait in
/// ``PendingLookups`` until then), so a block's append costs no new random-order index. Pending
/// ones are found through `mempool.job_key` and its index: the mempool is bounded by
/// `MEMPOOL_MAX` and drained every block, so that index stays small.
///
/// A key is the first 8 bytes of SHA-256 of the job id's UTF-8 bytes, read as
/// ``MerkleHash/lookupKey`` reads a digest. It is a prefix, so every candidate is confirmed
/// against the full job id in its transaction's body.
///
/// Migration `v4-job-lookup` creates the table and the column and fills them from the rows already
/// stored, reading each job id from the transaction's canonical body.
enum JobLookups {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-job-lookup") { db in
            let jobKey = DatabaseFunction("ns_job_key", argumentCount: 1, pure: true) { arguments in
                guard let body = Data.fromDatabaseValue(arguments[0]), let id = LedgerJobKey.jobID(inBody: Array(body)) else {
                    // Every stored body was a valid transaction when it arrived: this one is damaged.
                    throw DatabaseError(message: "a stored transaction's body records no job id")
                }
                return LedgerJobKey.of(id)
            }
            db.add(function: jobKey)
            defer { db.remove(function: jobKey) }
            // Only the leaves below the lookup frontier: those above it are written from their rows
            // when the ledger opens (``LookupTables/entries(from:_:)``), job keys included. SQLite
            // sorts the entries by key before they reach the table, as a batch does.
            try db.execute(sql: """
                CREATE TABLE job_lookup (key INTEGER NOT NULL, leaf_index INTEGER NOT NULL, PRIMARY KEY (key, leaf_index)) WITHOUT ROWID;
                INSERT INTO job_lookup (key, leaf_index)
                    SELECT ns_job_key(body), leaf_index FROM txs WHERE leaf_index < (SELECT indexed FROM lookup_frontier WHERE id = 1) ORDER BY 1, 2;
                ALTER TABLE mempool ADD COLUMN job_key INTEGER NOT NULL DEFAULT 0;
                UPDATE mempool SET job_key = ns_job_key(body);
                CREATE INDEX mempool_by_job ON mempool(job_key);
                """)
        }
    }

    /// The newest committed transaction recording `jobID` in the reader's snapshot, confirmed
    /// against the full job id. `pending` are the candidate leaves of ``PendingLookups``, read
    /// before the snapshot began; those the snapshot lacks are skipped.
    ///
    /// Candidates are read newest first, a page at a time (``LookupTables/newestLeaves(key:in:below:limit:_:)``),
    /// so the answer costs the same however many transactions share the job id (admin-node's
    /// audit anchors add one a minute under one id): the newest candidate is almost always the
    /// answer, and a page is widened only past key collisions with other job ids.
    static func newestCommitted(_ jobID: String, pending: [Int64], _ db: Database) throws -> CommittedTx? {
        let jobKey = LedgerJobKey.of(jobID)
        var older = pending.sorted(by: >)
        var below = Int64.max
        var limit = firstPage
        while true {
            let page = try LookupTables.newestLeaves(key: jobKey, in: "job_lookup", below: below, limit: limit, db)
            let exhausted = page.count < limit
            // The pending leaves in this page's range join it; usually all of them, in the first.
            let floor = exhausted ? Int64.min : page.last ?? Int64.min
            let joining = older.prefix { $0 >= floor }
            older.removeFirst(joining.count)
            for leaf in Set(page + joining).sorted(by: >) {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM txs WHERE leaf_index = ?", arguments: [leaf]) else { continue }
                let tx = SQLiteLedgerReader.committed(row)
                if LedgerJobKey.jobID(inBody: tx.canonical) == jobID { return tx }
            }
            if exhausted { return nil }
            below = floor
            limit = min(limit * 2, maxPage)
        }
    }

    /// Candidates the first page of ``newestCommitted(_:pending:_:)`` reads: the newest is
    /// almost always the answer, and a few more cover the rare key collision.
    static let firstPage = 4
    /// The most candidates one page reads, however many collisions came before.
    static let maxPage = 1_024

    /// The transaction the ledger holds for a job, asked inside the writer's transaction by
    /// ``LedgerStore/submit(_:rule:)`` under ``SubmitRule/onePerJob``. Prepared once
    /// per write transaction; a job id no transaction records costs one probe of `job_lookup`,
    /// one of `mempool_by_job` and one of ``PendingLookups``, and decodes nothing.
    struct Recorded {
        private let indexed: BoundStatement
        private let byLeaf: BoundStatement
        private let waiting: BoundStatement
        private let pending: PendingLookups

        init(pending: PendingLookups, _ db: Database) throws {
            indexed = try BoundStatement(db, sql: """
                SELECT t.hash, t.leaf_index, t.block_height, t.body FROM job_lookup l JOIN txs t ON t.leaf_index = l.leaf_index
                WHERE l.key = ? ORDER BY l.leaf_index DESC
                """)
            byLeaf = try BoundStatement(db, sql: "SELECT hash, leaf_index, block_height, body FROM txs WHERE leaf_index = ?")
            waiting = try BoundStatement(db, sql: "SELECT hash, body FROM mempool WHERE job_key = ? ORDER BY seq DESC")
            self.pending = pending
        }

        /// The transaction recording `tx`'s job id: `tx` itself when the ledger holds it (even
        /// among several for one job, recorded before this rule), else the newest committed one,
        /// else the newest pending one; `nil` when none does.
        func callAsFunction(_ tx: LedgerTransaction) throws -> (hash: MerkleHash, place: HeldPlace)? {
            let key = LedgerJobKey.of(tx.jobID)
            var candidates: [(hash: MerkleHash, place: HeldPlace)] = []
            // A candidate with `tx`'s hash is `tx`; any other is confirmed by the job id in its body
            // (its key may be another job's). Both are rare, so the common miss decodes nothing.
            func consider(_ row: BoundRow, body column: Int32, _ place: HeldPlace) -> Void? {
                let hash = MerkleHash(Array(row.bytes(0)))
                if hash == tx.hash || LedgerJobKey.jobID(inBody: Array(row.bytes(column))) == tx.jobID { candidates.append((hash, place)) }
                return nil  // every row is read
            }
            // Leaves whose entries wait in memory are newer than every indexed one.
            for leaf in pending.leaves(jobKey: key).sorted(by: >) {
                try byLeaf.bind(leaf, at: 1)
                _ = try byLeaf.first { consider($0, body: 3, .committed(leaf: $0.int64(1), height: $0.int64(2))) }
            }
            try indexed.bind(key, at: 1)
            _ = try indexed.first { consider($0, body: 3, .committed(leaf: $0.int64(1), height: $0.int64(2))) }
            try waiting.bind(key, at: 1)
            _ = try waiting.first { consider($0, body: 1, .pending) }
            return candidates.first { $0.hash == tx.hash } ?? candidates.first
        }
    }

    /// The newest mempool transaction recording `jobID`, confirmed against the full job id.
    static func newestPending(_ jobID: String, _ db: Database) throws -> (hash: MerkleHash, canonical: [UInt8])? {
        let rows = try Row.fetchAll(db, sql: "SELECT hash, body FROM mempool WHERE job_key = ? ORDER BY seq DESC", arguments: [LedgerJobKey.of(jobID)])
        return rows.lazy.map { (hash: MerkleHash(Array($0["hash"] as Data)), canonical: Array($0["body"] as Data)) }
            .first { LedgerJobKey.jobID(inBody: $0.canonical) == jobID }
    }
}
