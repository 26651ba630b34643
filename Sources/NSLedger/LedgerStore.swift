import Foundation
import GRDB
import NSCore
import NSSQLite

/// The ledger: mempool, blocks, the global log tree and signed checkpoints, in one SQLite database.
///
/// Every write goes through this actor, so block validation always sees the tip it appends to;
/// each write is one transaction committed with `synchronous=FULL`, so what a caller was told is
/// stored survives `kill -9`. Reads (``LedgerReader``) go straight to the pool's snapshots.
public actor LedgerStore {
    public struct Settings: Sendable {
        /// The checkpoint origin line, also the checkpoint key's name.
        public var origin: String
        public var checkpointKey: LedgerKey
        public var genesisValidators: [Validator]
        public var mempoolMax: Int
        public var maxBlockTxs: Int
        /// How far a block's time may run ahead of this node's clock.
        public var maxClockSkewMs: Int64
        /// How many committed transactions' lookup entries are held in memory before the next
        /// append writes them to the lookup tables in one sorted batch (``PendingLookups``).
        public var lookupBatch: Int

        public init(origin: String, checkpointKey: LedgerKey, genesisValidators: [Validator], mempoolMax: Int = 100_000,
                    maxBlockTxs: Int = BlockRules.defaultMaxTxs, maxClockSkewMs: Int64 = 300_000, lookupBatch: Int = 16_384) {
            self.origin = origin
            self.checkpointKey = checkpointKey
            self.genesisValidators = genesisValidators
            self.mempoolMax = mempoolMax
            self.maxBlockTxs = maxBlockTxs
            self.maxClockSkewMs = maxClockSkewMs
            self.lookupBatch = max(1, lookupBatch)
        }
    }

    let pool: DatabasePool
    let settings: Settings
    let now: @Sendable () -> Int64
    public nonisolated let reader: LedgerReader
    let lookups = PendingLookups()
    var tip: BlockHeader
    var tipHash: MerkleHash
    var range: CompactRange
    var mempoolCount: Int
    /// Who may produce at each height: the genesis set and every recorded change.
    var schedule: ValidatorSchedule

    /// Opens the ledger in `pool` (already migrated with ``LedgerSchema``), creating genesis on first use.
    public init(pool: DatabasePool, settings: Settings, now: @escaping @Sendable () -> Int64 = LedgerStore.wallClockMs) throws {
        self.pool = pool
        self.settings = settings
        self.now = now
        self.reader = LedgerReader(pool: pool, pending: lookups)
        let genesis = Genesis.header(validators: settings.genesisValidators)
        let state = try pool.write { db -> (BlockHeader, CompactRange, Int, ValidatorSchedule) in
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
            return (tip, range, pending, try ValidatorTables.schedule(db))
        }
        tip = state.0
        tipHash = state.0.hash
        range = state.1
        mempoolCount = state.2
        schedule = state.3
    }

    public static let wallClockMs: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The current tip header.
    public var tipHeader: BlockHeader { tip }
    /// The log tree's right edge after the tip, which a producer needs to compute `logRoot`.
    public var frontier: CompactRange { range }
    public var pendingCount: Int { mempoolCount }

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
