import Foundation
import GRDB
import NSCore

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
                guard let body = Data.fromDatabaseValue(arguments[0]), let id = jobID(inBody: Array(body)) else {
                    // Every stored body was a valid transaction when it arrived: this one is damaged.
                    throw DatabaseError(message: "a stored transaction's body records no job id")
                }
                return key(id)
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

    /// The key of `jobID` in `job_lookup` and `mempool.job_key`.
    static func key(_ jobID: String) -> Int64 {
        MerkleHash.sha256(Array(jobID.utf8)).lookupKey
    }

    /// The job id a stored canonical transaction records, or `nil` when the bytes are not a
    /// transaction object with a string `jobId` (they then record no job at all).
    static func jobID(inBody body: [UInt8]) -> String? {
        do {
            return try CanonicalJSON.decode(body)["jobId"]?.stringValue
        } catch {
            return nil
        }
    }

    /// The newest transaction recording `jobID` among `leaves` (candidates by key) in the
    /// reader's snapshot, confirmed against the full job id; leaves the snapshot lacks are skipped.
    static func newestCommitted(_ jobID: String, among leaves: [Int64], _ db: Database) throws -> LedgerReader.CommittedTx? {
        for leaf in leaves.sorted(by: >) {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM txs WHERE leaf_index = ?", arguments: [leaf]) else { continue }
            let tx = LedgerReader.committed(row)
            if Self.jobID(inBody: tx.canonical) == jobID { return tx }
        }
        return nil
    }

    /// The newest mempool transaction recording `jobID`, confirmed against the full job id.
    static func newestPending(_ jobID: String, _ db: Database) throws -> (hash: MerkleHash, canonical: [UInt8])? {
        let rows = try Row.fetchAll(db, sql: "SELECT hash, body FROM mempool WHERE job_key = ? ORDER BY seq DESC", arguments: [key(jobID)])
        return rows.lazy.map { (hash: MerkleHash(Array($0["hash"] as Data)), canonical: Array($0["body"] as Data)) }
            .first { Self.jobID(inBody: $0.canonical) == jobID }
    }
}
