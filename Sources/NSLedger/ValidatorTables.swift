import Foundation
import GRDB
import NSCore

/// The validator tables in SQLite, added by migration `v2-validator-changes`:
///
/// - `validator_changes`: the append-only log of every accepted change, in `seq` order, with the
///   height it takes effect at, who asked and when. With the genesis rows of `validators` it is
///   the record of truth: the store and `nsctl chain verify --db` replay it into a
///   ``ValidatorSchedule``.
/// - `validators` gains `removed_height`; its rows summarise the log (one row per key ever in the
///   set) for `GET /v1/validators`.
enum ValidatorTables {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-validator-changes") { db in
            try db.execute(sql: """
                ALTER TABLE validators ADD COLUMN removed_height INTEGER;
                CREATE TABLE validator_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    height INTEGER NOT NULL CHECK (height > 0),
                    action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
                    validator_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    public_key BLOB NOT NULL,
                    requested_by TEXT NOT NULL,
                    time INTEGER NOT NULL
                );
                """)
        }
    }

    /// The genesis rows of `validators`, which genesis's `prevHash` commits to.
    static func genesis(_ db: Database) throws -> [Validator] {
        try Row.fetchAll(db, sql: "SELECT name, public_key FROM validators WHERE added_height = 0").map {
            Validator(name: $0["name"], publicKey: LedgerPublicKey(raw: Array($0["public_key"] as Data)))
        }
    }

    /// Every recorded change in `seq` order (or newest first, up to `limit`); empty for a database
    /// from before the migration, which the read-only audit may be given and cannot migrate.
    static func changes(_ db: Database, newestFirst: Bool = false, limit: Int? = nil) throws -> [ValidatorChange] {
        try rows(db, newestFirst: newestFirst, limit: limit).map { change($0) }
    }

    /// The log as ``ValidatorLog/replay(genesis:changes:)`` takes it: the genesis set and every
    /// change in `seq` order with the id its row stores.
    static func log(_ db: Database) throws -> (genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)]) {
        (try genesis(db), try rows(db).map { ($0["validator_id"], change($0)) })
    }

    private static func rows(_ db: Database, newestFirst: Bool = false, limit: Int? = nil) throws -> [Row] {
        guard try db.tableExists("validator_changes") else { return [] }
        let order = newestFirst ? "DESC" : "ASC"
        return try Row.fetchAll(db, sql: "SELECT * FROM validator_changes ORDER BY seq \(order) LIMIT ?", arguments: [limit ?? -1])
    }

    private static func change(_ row: Row) -> ValidatorChange {
        ValidatorChange(seq: row["seq"], action: ValidatorChange.Action(rawValue: row["action"]) ?? .add,  // a CHECK allows only the two
                        validator: Validator(name: row["name"], publicKey: LedgerPublicKey(raw: Array(row["public_key"] as Data))),
                        effectiveHeight: UInt64(max(0, row["height"] as Int64)), requestedBy: row["requested_by"], time: row["time"])
    }

    /// The schedule recorded in `db` (``ValidatorLog/replay(genesis:changes:)``); an inconsistent
    /// log is thrown, and the store refuses to open on it.
    static func schedule(_ db: Database) throws -> ValidatorSchedule {
        let log = try log(db)
        let (schedule, inconsistency) = ValidatorLog.replay(genesis: log.genesis, changes: log.changes)
        if let inconsistency { throw inconsistency }
        return schedule
    }

    /// Appends `change` to the log and updates the summary row; returns its `seq`. Runs inside
    /// the caller's write transaction, so both commit together.
    static func record(_ change: ValidatorChange, db: Database) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO validator_changes (height, action, validator_id, name, public_key, requested_by, time)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Int64(change.effectiveHeight), change.action.rawValue, change.validator.id, change.validator.name,
                             Data(change.validator.publicKey.raw), change.requestedBy, change.time])
        let seq = db.lastInsertedRowID
        switch change.action {
        case .add:
            try db.execute(sql: "INSERT INTO validators (id, name, public_key, added_height, removed_height) VALUES (?, ?, ?, ?, NULL)",
                           arguments: [change.validator.id, change.validator.name, Data(change.validator.publicKey.raw), Int64(change.effectiveHeight)])
        case .remove:
            try db.execute(sql: "UPDATE validators SET removed_height = ? WHERE id = ?", arguments: [Int64(change.effectiveHeight), change.validator.id])
        }
        return seq
    }
}
