import NSCore

/// Which transactions `POST /tx` treats as already held (``LedgerStore/submit(_:rule:)``).
public enum SubmitRule: Sendable {
    /// Only the same transaction (by hash) is held already: another one recording the same job
    /// id is stored beside it. For writers that record a series under one job id (admin-node's
    /// audit anchors).
    case sameTransaction
    /// One transaction per job id: a transaction whose job id the ledger already records
    /// (pending, committed, or earlier in the same call) is not stored, and its receipt names
    /// the one held (``TxReceipt/duplicateJob``). vp-node's workers send artifacts this way: a
    /// job worked twice (its queue restored from a backup taken before it completed, or its
    /// lease lost after ns-node took its transaction) may build a different transaction (a
    /// code job's sandbox outcome records its duration), and must complete with the one held
    /// rather than anchor its artifact twice.
    case onePerJob
}

/// What every ledger store is opened with, whichever database holds the ledger.
public struct LedgerStoreSettings: Sendable {
    /// The checkpoint origin line, also the checkpoint key's name.
    public var origin: String
    public var checkpointKey: LedgerKey
    public var genesisValidators: [Validator]
    public var mempoolMax: Int
    public var maxBlockTxs: Int
    /// How far a block's time may run ahead of this node's clock.
    public var maxClockSkewMs: Int64
    /// How many committed transactions' lookup entries are held in memory before the next
    /// append writes them to the lookup tables in one sorted batch (SQLite's ``PendingLookups``).
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

/// The tip as the database holds it now, as one consistent snapshot: what a producer builds the
/// next block on (`header`, `hash`, and `frontier`, the log tree's right edge it needs for
/// `logRoot`) and the mempool's size.
public struct LedgerHead: Sendable {
    public let header: BlockHeader
    public let hash: MerkleHash
    public let frontier: CompactRange
    public let pendingCount: Int

    public init(header: BlockHeader, hash: MerkleHash, frontier: CompactRange, pendingCount: Int) {
        self.header = header
        self.hash = hash
        self.frontier = frontier
        self.pendingCount = pendingCount
    }
}

/// What ``LedgerStore/submit(_:rule:)`` answers.
public struct SubmitOutcome: Sendable {
    /// One per submitted transaction, in the order sent.
    public let receipts: [TxReceipt]
    /// The mempool size right after this submit committed (for metrics; never a cached value).
    public let pendingCount: Int

    public init(receipts: [TxReceipt], pendingCount: Int) {
        self.receipts = receipts
        self.pendingCount = pendingCount
    }
}

/// What ``LedgerStore/append(_:)`` answers.
public struct AppendOutcome: Sendable {
    /// The header of the block just committed, the new tip.
    public let header: BlockHeader
    /// The mempool size right after this block committed.
    public let pendingCount: Int

    public init(header: BlockHeader, pendingCount: Int) {
        self.header = header
        self.pendingCount = pendingCount
    }
}

/// The ledger's writes. Every implementation enforces in the database (not in memory): one block
/// per height (the losing racer gets ``BlockRejection`` for height or prev hash, a 409), a
/// transaction committed at most once, submit all or none, no transaction both committed and in
/// the mempool, and under ``SubmitRule/onePerJob`` at most one transaction per job id. A success
/// is answered only once it committed durably.
public protocol LedgerStore: Sendable {
    var reader: any LedgerReader { get }
    /// Accepts transactions into the durable mempool, all or none. A transaction already pending
    /// or committed is acknowledged again and stored once; under ``SubmitRule/onePerJob`` so is
    /// any other transaction for a job the ledger records.
    func submit(_ txs: [LedgerTransaction], rule: SubmitRule) async throws(LedgerError) -> SubmitOutcome
    /// Validates `proposal` against the tip by ``BlockRules`` and appends it atomically: block,
    /// transactions, tree nodes, mempool removal and the new signed checkpoint, or nothing.
    func append(_ proposal: BlockProposal) async throws(BlockRejection) -> AppendOutcome
    /// Records a change of the validator set taking effect at the tip's height + 1.
    func changeValidators(_ request: ValidatorChange.Request, requestedBy: String) async throws(ValidatorChangeError) -> ValidatorChange
}

/// The ledger's reads.
public protocol LedgerReader: Sendable {
    /// The tip, its frontier and the mempool size, from one snapshot of the database's state.
    func head() async throws -> LedgerHead
    func latestBlock() async throws -> LedgerBlock
    func block(height: UInt64) async throws -> LedgerBlock?
    /// The committed transactions of block `height`, in order.
    func transactions(inBlock height: UInt64) async throws -> [CommittedTx]
    func transaction(hash: MerkleHash) async throws -> CommittedTx?
    /// The transactions anchoring an artifact, oldest first.
    func transactions(artifactSHA256: String) async throws -> [CommittedTx]
    /// The newest committed transaction recording `jobID`, else a pending one: committed wins;
    /// committed and pending read from one snapshot.
    func transaction(jobID: String) async throws -> JobTransaction?
    /// The newest transaction recording `jobID`: pending wins.
    func newestTransaction(jobID: String) async throws -> JobTransaction?
    /// Pending transactions in arrival order, up to `limit`, with the mempool's size.
    func mempool(limit: Int) async throws -> (total: Int, txs: [(hash: MerkleHash, canonical: [UInt8])])
    /// The log size of the latest block.
    func logSize() async throws -> UInt64
    /// The newest signed checkpoint note.
    func latestCheckpoint() async throws -> String
    /// Audit path for `leaf` in the tree of `size` leaves, with that tree's root.
    func inclusionProof(leaf: UInt64, size: UInt64) async throws -> (proof: [MerkleHash], root: MerkleHash)
    /// Consistency proof between the trees of `from` and `to` leaves, with both roots.
    func consistencyProof(from: UInt64, to: UInt64) async throws -> (proof: [MerkleHash], fromRoot: MerkleHash, toRoot: MerkleHash)
    /// Every validator ever in the set, ordered by id.
    func validators() async throws -> [ValidatorRecord]
    /// The latest `limit` recorded changes, newest first.
    func validatorChanges(limit: Int) async throws -> [ValidatorChange]
    /// The hashes of `tile` (c2sp.org/tlog-tiles), in one range read of what appends store
    /// anyway: leaf hashes for level 0, the stored subtree hashes of tree level 8·L above; nil
    /// when the committed log does not hold all of them yet (``TileRead``).
    func tileHashes(_ tile: LogTile) async throws -> [MerkleHash]?
    /// The canonical bytes of the committed transactions whose leaf hashes are the level-0 `tile`,
    /// in leaf order, in one range read; nil when the committed log holds fewer. A tile of another
    /// level is ``LedgerError/outOfRange(_:)``.
    func tileEntries(_ tile: LogTile) async throws -> [[UInt8]]?
}

/// What ``ChainAudit/audit(_:)`` reads: the SQLite file (``SQLiteChainSource``) is one source, a
/// server database another. The audit's rules are engine-neutral and run over it.
public protocol ChainAuditSource: Sendable {
    /// The genesis validator set and every recorded change in `seq` order, each with the validator
    /// id its row stores (the audit checks that id against the change's key).
    func validatorLog() async throws -> (genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)])
    /// Calls `body` for each block in height order from genesis, with its stored hash, the
    /// transactions at leaf indexes [sum of earlier tx_count, + tx_count) in leaf order, and the
    /// block height each of those rows is filed under. `body` returns false to stop.
    func forEachBlock(_ body: (BlockHeader, _ storedHash: MerkleHash, _ txs: [ChainVerifier.StoredTx], _ filedUnder: [UInt64]) async throws -> Bool) async throws
    /// The root of leaves [0, size) computed from the stored tree nodes (what proofs are built from).
    func storedRoot(size: UInt64) async throws -> MerkleHash
}
