// Temporary copy of the NSLedger storage contracts; deleted when merged with them.
// ===== The storage contracts of issue 27, fixed by the lead. Use these EXACT names and signatures. =====
// In NSLedger they live in Sources/NSLedger/LedgerStorage.swift (protocols, settings, outcomes) and
// Sources/NSLedger/LedgerRecords.swift (LedgerBlock, CommittedTx, JobTransaction). Doc comments may be added.
import NSCore
import NSLedger

/// How `submit` treats a transaction whose job already has one (was `LedgerStore.SubmitRule`).
public enum SubmitRule: Sendable { case sameTransaction, onePerJob }

/// What every ledger store is opened with (was `LedgerStore.Settings`; same fields, same init and defaults).
public struct LedgerStoreSettings: Sendable {
    public var origin: String
    public var checkpointKey: LedgerKey
    public var genesisValidators: [Validator]
    public var mempoolMax: Int
    public var maxBlockTxs: Int
    public var maxClockSkewMs: Int64
    public var lookupBatch: Int
    public init(origin: String, checkpointKey: LedgerKey, genesisValidators: [Validator], mempoolMax: Int = 100_000,
                maxBlockTxs: Int = BlockRules.defaultMaxTxs, maxClockSkewMs: Int64 = 300_000, lookupBatch: Int = 16_384) {
        self.origin = origin
        self.checkpointKey = checkpointKey
        self.genesisValidators = genesisValidators
        self.mempoolMax = mempoolMax
        self.maxBlockTxs = maxBlockTxs
        self.maxClockSkewMs = maxClockSkewMs
        self.lookupBatch = lookupBatch
    }
}

/// The tip as the database holds it now: one consistent snapshot (replaces tipHeader/frontier/pendingCount).
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
public struct SubmitOutcome: Sendable {
    public let receipts: [TxReceipt]
    /// The mempool size right after this submit committed (for metrics; never a cached value).
    public let pendingCount: Int
    public init(receipts: [TxReceipt], pendingCount: Int) {
        self.receipts = receipts
        self.pendingCount = pendingCount
    }
}
public struct AppendOutcome: Sendable {
    public let header: BlockHeader
    public let pendingCount: Int
    public init(header: BlockHeader, pendingCount: Int) {
        self.header = header
        self.pendingCount = pendingCount
    }
}

// LedgerRecords.swift: were LedgerReader.Block / .CommittedTx / .JobTransaction, same fields.
public struct LedgerBlock: Sendable { public let header: BlockHeader; public let hash: MerkleHash; public let txHashes: [MerkleHash]
    public init(header: BlockHeader, hash: MerkleHash, txHashes: [MerkleHash]) {
        self.header = header
        self.hash = hash
        self.txHashes = txHashes
    }
}
public struct CommittedTx: Sendable { public let hash: MerkleHash; public let leafIndex: UInt64; public let blockHeight: UInt64; public let canonical: [UInt8]
    public init(hash: MerkleHash, leafIndex: UInt64, blockHeight: UInt64, canonical: [UInt8]) {
        self.hash = hash
        self.leafIndex = leafIndex
        self.blockHeight = blockHeight
        self.canonical = canonical
    }
}
public enum JobTransaction: Sendable { case committed(CommittedTx); case pending(hash: MerkleHash, canonical: [UInt8]) }

/// The ledger's writes. Every implementation enforces in the DATABASE (not in memory): one block per height
/// (the losing racer gets BlockRejection for height/prev hash, i.e. 409), a transaction committed at most once,
/// submit all-or-none, no transaction both committed and in the mempool, onePerJob = at most one tx per job id.
public protocol LedgerStore: Sendable {
    var reader: any LedgerReader { get }
    func submit(_ txs: [LedgerTransaction], rule: SubmitRule) async throws(LedgerError) -> SubmitOutcome
    func append(_ proposal: BlockProposal) async throws(BlockRejection) -> AppendOutcome
    func changeValidators(_ request: ValidatorChange.Request, requestedBy: String) async throws(ValidatorChangeError) -> ValidatorChange
}

/// The ledger's reads. Same semantics as today's SQLite `LedgerReader` methods (they become async).
public protocol LedgerReader: Sendable {
    func head() async throws -> LedgerHead
    func latestBlock() async throws -> LedgerBlock
    func block(height: UInt64) async throws -> LedgerBlock?
    func transactions(inBlock height: UInt64) async throws -> [CommittedTx]
    func transaction(hash: MerkleHash) async throws -> CommittedTx?
    func transactions(artifactSHA256: String) async throws -> [CommittedTx]
    /// Committed wins; committed and pending read from one snapshot.
    func transaction(jobID: String) async throws -> JobTransaction?
    /// Pending wins.
    func newestTransaction(jobID: String) async throws -> JobTransaction?
    func mempool(limit: Int) async throws -> (total: Int, txs: [(hash: MerkleHash, canonical: [UInt8])])
    func logSize() async throws -> UInt64
    func latestCheckpoint() async throws -> String
    func inclusionProof(leaf: UInt64, size: UInt64) async throws -> (proof: [MerkleHash], root: MerkleHash)
    func consistencyProof(from: UInt64, to: UInt64) async throws -> (proof: [MerkleHash], fromRoot: MerkleHash, toRoot: MerkleHash)
    func validators() async throws -> [ValidatorRecord]
    func validatorChanges(limit: Int) async throws -> [ValidatorChange]
}

/// What `ChainAudit.audit(_ source:)` reads; the SQLite file (`SQLiteChainSource`) and PostgreSQL are two sources.
/// The audit rules (today's `ChainAudit.audit(reader:)` and `ValidatorTables.replay`) move into engine-neutral code over this.
public protocol ChainAuditSource: Sendable {
    /// The genesis validator set and every recorded change in `seq` order, each with the validator id its row stores
    /// (the audit checks that id against the change's key).
    func validatorLog() async throws -> (genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)])
    /// Calls `body` for each block in height order from genesis, with its stored hash, the transactions at leaf
    /// indexes [sum of earlier tx_count, + tx_count) in leaf order, and the block height each of those rows is filed under.
    /// `body` returns false to stop.
    func forEachBlock(_ body: (BlockHeader, _ storedHash: MerkleHash, _ txs: [ChainVerifier.StoredTx], _ filedUnder: [UInt64]) async throws -> Bool) async throws
    /// The root of leaves [0, size) computed from the stored tree nodes (what proofs are built from).
    func storedRoot(size: UInt64) async throws -> MerkleHash
}
