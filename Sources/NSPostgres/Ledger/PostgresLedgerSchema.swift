import NSCore

/// The ledger's tables in the `ledger` schema of a PostgreSQL database, which several ns-nodes
/// share. The database itself enforces what the SQLite ledger's single writer enforced:
///
/// - `blocks`: one row per height (primary key), each naming the block before it through the
///   foreign key `(prev_height, prev_hash)`, so the chain cannot fork however writers race.
/// - `txs`: committed transactions in log order; `UNIQUE (hash)` commits a transaction once.
///   `artifact_key` and `job_key` are the 8-byte prefix keys of SQLite's lookup tables
///   (NSLedger's `MerkleHash.lookupKey` and `LedgerJobKey`), confirmed against the full value on read.
/// - `tree_nodes`: complete subtree hashes above the leaves (leaves are `txs.leaf_hash`).
/// - `checkpoints`, `mempool` (with its counter row `mempool_stats`), `validators`,
///   `validator_changes` as in SQLite.
/// - `head`: the one row every append locks (`FOR UPDATE`): the tip and how many validator
///   changes it has seen.
/// - `meta`: the origin and checkpoint key every node on this database must share.
///
/// Blocks, transactions, tree nodes, checkpoints and validator changes are append-only: a trigger
/// refuses UPDATE and DELETE on them.
public enum PostgresLedgerSchema {
    /// `pg_advisory_xact_lock` key of the migrator: "NSLEDGER".
    public static let migrationLock: Int64 = 0x4E53_4C45_4447_4552
    /// The mempool lock every append (exclusive), `onePerJob` submit (exclusive) and
    /// `sameTransaction` submit (shared) takes first: "NSMEMPOO".
    public static let mempoolLock: Int64 = 0x4E53_4D45_4D50_4F4F

    /// The constraint `UNIQUE (hash)` on `ledger.txs` gets (PostgreSQL's default name), which
    /// an append that breaks it reports as a transaction committed before.
    static let uniqueTxHash = "txs_hash_key"

    public static let migrations = [
        PostgresMigration(version: "v1-ledger", statements: [
            """
            CREATE TABLE ledger.meta (id int PRIMARY KEY CHECK (id = 1), origin text NOT NULL, checkpoint_key_id text NOT NULL,
                genesis_hash bytea NOT NULL)
            """,
            """
            CREATE TABLE ledger.blocks (
                height bigint PRIMARY KEY CHECK (height >= 0),
                hash bytea NOT NULL UNIQUE,
                prev_hash bytea NOT NULL,
                prev_height bigint GENERATED ALWAYS AS (NULLIF(height, 0) - 1) STORED,
                time bigint NOT NULL,
                tx_root bytea NOT NULL,
                log_size bigint NOT NULL UNIQUE,
                log_root bytea NOT NULL,
                producer text NOT NULL,
                signature bytea NOT NULL,
                tx_count int NOT NULL CHECK (tx_count >= 0),
                UNIQUE (height, hash),
                FOREIGN KEY (prev_height, prev_hash) REFERENCES ledger.blocks (height, hash))
            """,
            """
            CREATE TABLE ledger.txs (
                leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
                hash bytea NOT NULL UNIQUE,
                leaf_hash bytea NOT NULL,
                block_height bigint NOT NULL REFERENCES ledger.blocks (height),
                artifact bytea NOT NULL,
                artifact_key bigint NOT NULL,
                job_key bigint NOT NULL,
                body bytea NOT NULL)
            """,
            "CREATE INDEX txs_by_artifact ON ledger.txs (artifact_key)",
            "CREATE INDEX txs_by_job ON ledger.txs (job_key, leaf_index DESC)",
            """
            CREATE TABLE ledger.tree_nodes (level smallint NOT NULL CHECK (level >= 1), idx bigint NOT NULL, hash bytea NOT NULL,
                PRIMARY KEY (level, idx))
            """,
            "CREATE TABLE ledger.checkpoints (log_size bigint PRIMARY KEY, note text NOT NULL)",
            """
            CREATE TABLE ledger.mempool (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hash bytea NOT NULL UNIQUE, body bytea NOT NULL,
                received_at bigint NOT NULL, job_key bigint NOT NULL)
            """,
            "CREATE INDEX mempool_by_job ON ledger.mempool (job_key)",
            "CREATE TABLE ledger.mempool_stats (id int PRIMARY KEY CHECK (id = 1), count bigint NOT NULL CHECK (count >= 0))",
            """
            CREATE TABLE ledger.validators (id text PRIMARY KEY, name text NOT NULL, public_key bytea NOT NULL UNIQUE,
                added_height bigint NOT NULL, removed_height bigint)
            """,
            """
            CREATE TABLE ledger.validator_changes (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, height bigint NOT NULL CHECK (height > 0),
                action text NOT NULL CHECK (action IN ('add', 'remove')), validator_id text NOT NULL, name text NOT NULL,
                public_key bytea NOT NULL, requested_by text NOT NULL, time bigint NOT NULL)
            """,
            """
            CREATE TABLE ledger.head (id int PRIMARY KEY CHECK (id = 1), height bigint NOT NULL, hash bytea NOT NULL,
                validators_seq bigint NOT NULL, FOREIGN KEY (height, hash) REFERENCES ledger.blocks (height, hash))
            """,
            """
            CREATE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ledger.% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$
            """,
        ] + ["blocks", "txs", "tree_nodes", "checkpoints", "validator_changes"].map { table in
            "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON ledger.\(table) FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change()"
        }),
    ]

    public static let migrator = PostgresMigrator(schema: "ledger", lockKey: migrationLock, migrations: migrations)
}
