import GRDB

/// admin-node's tables in `admin-node-data/admin.db`:
/// - `sessions`: one row per sign-in; the cookie carries a random id whose SHA-256 is stored
///   here, so a stolen database does not hand out live sessions.
/// - `audit`: the append-only, hash-chained audit trail (see ``AuditEntry``).
public enum AdminSchema {
    public static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-admin") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id_hash TEXT PRIMARY KEY,
                    subject TEXT NOT NULL,
                    role TEXT NOT NULL,
                    csrf TEXT NOT NULL,
                    source TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT NOT NULL,
                    source TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    correlation_id TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_by_actor ON audit(actor);
                CREATE INDEX audit_by_action ON audit(action);
                """)
        }
    }
}
