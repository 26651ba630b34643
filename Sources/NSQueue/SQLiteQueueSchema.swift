import GRDB

/// Tables of the embedded queue (`<data-dir>/vp-node-data/queue.db`).
///
/// `seq` orders jobs FIFO within a priority; the partial index `jobs_ready` holds exactly the
/// jobs that may be handed out, in hand-out order, so a lease is one index seek. `v2-retention`
/// adds `jobs_finished`, the completed and cancelled jobs by finish time, so retention deletes
/// the oldest ones by an index range instead of a scan.
public enum SQLiteQueueSchema {
    public static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-queue") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    priority INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    timeout_ms INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    run_at INTEGER NOT NULL,
                    started_at INTEGER,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    result BLOB,
                    errors TEXT NOT NULL DEFAULT '[]',
                    unique_key TEXT
                );
                CREATE INDEX jobs_ready ON jobs(priority, seq) WHERE state IN ('queued', 'retry');
                CREATE INDEX jobs_processing ON jobs(lease_expires_at) WHERE state = 'processing';
                CREATE INDEX jobs_dead ON jobs(updated_at) WHERE state = 'dead_letter';
                CREATE TABLE unique_keys (
                    key TEXT PRIMARY KEY,
                    job_id TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                CREATE TABLE queue_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-retention") { db in
            try db.execute(sql: "CREATE INDEX jobs_finished ON jobs(updated_at) WHERE state IN ('completed', 'cancelled')")
        }
    }
}
