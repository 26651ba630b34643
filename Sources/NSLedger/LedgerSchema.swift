import GRDB
import NSCore

/// The ledger's tables, created by migrations on top of the node's own.
///
/// - `blocks`: one row per header, genesis included.
/// - `txs`: committed transactions in log order; `leaf_index` is the position in the global tree.
///   Lookups by tx hash and by artifact go through ``LookupTables`` (which also drops the
///   `hash_key` and `artifact_key` columns and their indexes that `v1-ledger` creates here), and
///   by job id through ``JobLookups``.
/// - `tree_nodes`: every complete subtree hash above the leaves (level ≥ 1), keyed by
///   (level, index), so proofs need O(log n) point reads; leaves are `txs.leaf_hash`.
/// - `mempool`: accepted, not yet committed transactions in arrival order; `v4-job-lookup` adds
///   `job_key` and its index (``JobLookups``).
/// - `validators`: every key ever in the set, seeded from genesis configuration; later changes
///   and their log come with `v2-validator-changes` (``ValidatorTables``).
public enum LedgerSchema {
    public static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE blocks (
                    height INTEGER PRIMARY KEY,
                    hash BLOB NOT NULL UNIQUE,
                    prev_hash BLOB NOT NULL,
                    time INTEGER NOT NULL,
                    tx_root BLOB NOT NULL,
                    log_size INTEGER NOT NULL,
                    log_root BLOB NOT NULL,
                    producer TEXT NOT NULL,
                    signature BLOB NOT NULL,
                    tx_count INTEGER NOT NULL
                );
                CREATE TABLE txs (
                    leaf_index INTEGER PRIMARY KEY,
                    hash BLOB NOT NULL,
                    hash_key INTEGER NOT NULL,
                    leaf_hash BLOB NOT NULL,
                    block_height INTEGER NOT NULL,
                    artifact BLOB NOT NULL,
                    artifact_key INTEGER NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX txs_by_hash ON txs(hash_key);
                CREATE INDEX txs_by_artifact ON txs(artifact_key);
                CREATE TABLE tree_nodes (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;
                CREATE TABLE mempool (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash BLOB NOT NULL UNIQUE,
                    body BLOB NOT NULL,
                    received_at INTEGER NOT NULL
                );
                CREATE TABLE validators (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    public_key BLOB NOT NULL,
                    added_height INTEGER NOT NULL
                );
                CREATE TABLE checkpoints (
                    log_size INTEGER PRIMARY KEY,
                    note TEXT NOT NULL
                );
                """)
        }
        ValidatorTables.register(in: &migrator)
        LookupTables.register(in: &migrator)
        JobLookups.register(in: &migrator)
    }
}
