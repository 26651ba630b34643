import NSCore

/// admin-node's tables in the PostgreSQL schema `admin`, the counterpart of the SQLite `AdminSchema`
/// (same columns, same units: times are Unix ms, hashes lower-case hex).
///
/// Unlike the SQLite file, which one admin-node owns, this database is shared by every admin-node,
/// so the chain's rules live in the schema itself: `PRIMARY KEY (seq)` allows one entry per number,
/// `UNIQUE (hash)` one place per entry, and the foreign key `(prev_seq, prev_hash)` makes every entry
/// name the entry just before it. Two entries claiming the same predecessor would need the same
/// `seq`, so no writer, however buggy, can fork the chain.
public enum PostgresAdminSchema {
    /// Serialises the migrations of admin-nodes starting together ("NSADMIN\0").
    public static let migrationLockKey: Int64 = 0x4E53_4144_4D49_4E00
    /// Serialises audit appends across admin-nodes ("NSAUDIT_"): taken inside each appending
    /// transaction before the chain's head is read.
    public static let appendLockKey: Int64 = 0x4E53_4155_4449_545F

    /// The migrations, applied by ``PostgresAdminStore/open(database:)``.
    public static let migrator = PostgresMigrator(schema: "admin", lockKey: migrationLockKey, migrations: [
        PostgresMigration(version: "v1-admin", statements: [
            """
            CREATE TABLE admin.sessions (
                id_hash text PRIMARY KEY,
                subject text NOT NULL,
                role text NOT NULL,
                csrf text NOT NULL,
                source text NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                revoked_at bigint
            )
            """,
            "CREATE INDEX sessions_live ON admin.sessions (expires_at) WHERE revoked_at IS NULL",
            """
            CREATE TABLE admin.audit (
                seq bigint PRIMARY KEY CHECK (seq >= 1),
                prev_seq bigint GENERATED ALWAYS AS (NULLIF(seq - 1, 0)) STORED,
                time bigint NOT NULL,
                actor text NOT NULL,
                role text NOT NULL,
                source text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                outcome text NOT NULL,
                correlation_id text NOT NULL,
                prev_hash text NOT NULL,
                hash text NOT NULL UNIQUE,
                UNIQUE (seq, hash),
                CONSTRAINT audit_chain FOREIGN KEY (prev_seq, prev_hash) REFERENCES admin.audit (seq, hash),
                CONSTRAINT audit_genesis CHECK (seq > 1 OR prev_hash = '\(AuditChain.genesisHash)')
            )
            """,
            "CREATE INDEX audit_by_actor ON admin.audit (actor, seq DESC)",
            "CREATE INDEX audit_by_action ON admin.audit (action, seq DESC)",
        ]),
    ])
}
