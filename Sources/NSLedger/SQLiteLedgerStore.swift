import Foundation
import GRDB
import NSCore
import NSSQLite
import Synchronization

/// The ledger in one SQLite database: mempool, blocks, the global log tree and signed checkpoints.
///
/// Every write goes through this actor, so block validation always sees the tip it appends to;
/// each write is one transaction committed with `synchronous=FULL`, so what a caller was told is
/// stored survives `kill -9`. One process writes a file (its `VolumeLock`), so the tip this actor
/// holds is the database's: reads (``SQLiteLedgerReader``) answer ``LedgerReader/head()`` from it
/// and everything else from the pool's snapshots.
public actor SQLiteLedgerStore: LedgerStore {
    nonisolated let pool: DatabasePool
    let settings: LedgerStoreSettings
    let now: @Sendable () -> Int64
    /// The concrete reader, whose reads are synchronous (startup code that cannot await uses it).
    public nonisolated let sqliteReader: SQLiteLedgerReader
    public nonisolated var reader: any LedgerReader { sqliteReader }
    nonisolated let lookups = PendingLookups()
    /// The tip, its frontier and the mempool size after the last committed write; only this actor sets it.
    nonisolated let current: CurrentHead
    /// Who may produce at each height: the genesis set and every recorded change.
    var schedule: ValidatorSchedule

    /// Opens the ledger in `pool` (already migrated with ``LedgerSchema``), creating genesis on first use.
    public init(pool: DatabasePool, settings: LedgerStoreSettings, now: @escaping @Sendable () -> Int64 = LedgerClock.wallMs) throws {
        self.pool = pool
        self.settings = settings
        self.now = now
        let genesis = Genesis.header(validators: settings.genesisValidators)
        let state = try pool.write { db -> (LedgerHead, ValidatorSchedule) in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blocks") == 0 {
                try Self.insert(block: genesis, txCount: 0, db: db)
                for validator in settings.genesisValidators {
                    try db.execute(sql: "INSERT INTO validators (id, name, public_key, added_height) VALUES (?, ?, ?, 0)",
                                   arguments: [validator.id, validator.name, Data(validator.publicKey.raw)])
                }
                let note = Checkpoint(origin: settings.origin, size: 0, root: MerkleTree.emptyRoot).signed(with: settings.checkpointKey)
                try db.execute(sql: "INSERT INTO checkpoints (log_size, note) VALUES (0, ?)", arguments: [note])
            }
            let row = try Row.fetchOne(db, sql: "SELECT * FROM blocks ORDER BY height DESC LIMIT 1")!  // genesis exists from here on
            let tip = BlockHeader(row: row)
            let range = try CompactRange(size: tip.logSize, source: StoredSubtrees(db: db))
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mempool") ?? 0
            // What the last run held in memory: indexed now, before anything reads it.
            try LookupTables.write(try LookupTables.entries(from: try LookupTables.frontier(db), db), db)
            return (LedgerHead(header: tip, hash: tip.hash, frontier: range, pendingCount: pending), try ValidatorTables.schedule(db))
        }
        current = CurrentHead(state.0)
        schedule = state.1
        sqliteReader = SQLiteLedgerReader(pool: pool, pending: lookups, current: current)
    }

    static func insert(block: BlockHeader, txCount: Int, db: Database) throws {
        try db.execute(sql: """
            INSERT INTO blocks (height, hash, prev_hash, time, tx_root, log_size, log_root, producer, signature, tx_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Int64(block.height), Data(block.hash.bytes), Data(block.prevHash.bytes), block.time, Data(block.txRoot.bytes),
                             Int64(block.logSize), Data(block.logRoot.bytes), block.producer, Data(block.signature), txCount])
    }

    static func describe(_ error: any Error) -> String {
        (error as? DatabaseError).map { "SQLite error \($0.resultCode.rawValue): \($0.message ?? "")" } ?? String(describing: type(of: error))
    }
}

/// The SQLite store's tip, frontier and mempool size, shared by the actor (the one writer, which
/// replaces it after each commit) and its readers, so ``LedgerReader/head()`` needs no actor hop
/// and always answers one consistent value: what the last committed write left.
final class CurrentHead: Sendable {
    private let head: Mutex<LedgerHead>

    init(_ head: LedgerHead) {
        self.head = Mutex(head)
    }

    var value: LedgerHead { head.withLock { $0 } }

    func set(_ value: LedgerHead) {
        head.withLock { $0 = value }
    }
}
