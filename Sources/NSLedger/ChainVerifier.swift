import NSCore

/// Re-checks a chain block by block, from genesis, the way a third party would: the stored hash
/// and each transaction's bytes, then the ``BlockRules`` ns-node applied when it appended the
/// block (all but the two that need its clock and its committed transactions). Used by
/// `nsctl chain verify` against a live ns-node or a database file.
public struct ChainVerifier: Sendable {
    /// The first thing found wrong: the height and the check that failed, a ``BlockRule`` name
    /// or one of the audit's own (`hash`, `genesis`, `txHash`, ...).
    public struct Fault: Error, Equatable, Sendable, CustomStringConvertible {
        public let height: UInt64
        public let check: String
        public let detail: String

        public init(height: UInt64, check: String, detail: String) {
            self.height = height
            self.check = check
            self.detail = detail
        }

        /// The block at `height` broke `rejection`'s rule.
        public init(height: UInt64, rejection: BlockRejection) {
            self.init(height: height, check: rejection.check, detail: rejection.description)
        }

        public var description: String { "block \(height) fails \(check): \(detail)" }
    }

    /// A committed transaction as the source stores it: the hash it claims and the bytes.
    public struct StoredTx: Sendable {
        public let hash: MerkleHash
        public let canonical: [UInt8]

        public init(hash: MerkleHash, canonical: [UInt8]) {
            self.hash = hash
            self.canonical = canonical
        }
    }

    private let rules: BlockRules
    private var range = CompactRange()
    private var previous: BlockHeader?
    private var previousHash: MerkleHash?

    /// The height of the last block that passed, if any.
    public var verifiedHeight: UInt64? { previous?.height }
    public var logSize: UInt64 { range.size }
    public var logRoot: MerkleHash { range.root }

    /// A verifier for a chain whose set never changed after genesis.
    public init(genesisValidators: [Validator]) {
        self.init(schedule: ValidatorSchedule(genesis: genesisValidators))
    }

    /// A verifier that checks each block's producer against the set active at its height.
    /// Changes are not part of the blocks, so `schedule` comes from ns-node's records: the check
    /// is as trustworthy as the source of those records. `maxTxs` is the limit ns-node applied.
    public init(schedule: ValidatorSchedule, maxTxs: Int = BlockRules.defaultMaxTxs) {
        rules = BlockRules(schedule: schedule, maxTxs: maxTxs)
    }

    /// Checks the next block. `storedHash` is the hash the source recorded for it, if any.
    public mutating func verify(_ header: BlockHeader, storedHash: MerkleHash?, txs: [StoredTx]) throws(Fault) {
        guard let previous, let previousHash else { return try verifyGenesis(header, storedHash: storedHash, txs: txs) }
        let height = header.height
        try Self.judged(at: height) { () throws(BlockRejection) in try rules.checkHeight(header, after: previous) }
        try Self.checkStoredHash(storedHash, of: header)
        try Self.judged(at: height) { () throws(BlockRejection) in
            try rules.checkHeader(header, after: previous, previousHash: previousHash, notAfter: nil)
        }
        let parsed = try Self.parse(txs, height: height)
        let body = try Self.judged(at: height) { () throws(BlockRejection) in try rules.checkBody(header, txs: parsed, log: range) }
        range = body.log
        self.previous = header
        self.previousHash = header.hash
    }

    /// Each stored transaction valid on its own (rule `tx`, as ns-node decodes it), stored in
    /// canonical form, under the hash of its bytes (`txHash`).
    private static func parse(_ txs: [StoredTx], height: UInt64) throws(Fault) -> [LedgerTransaction] {
        var parsed: [LedgerTransaction] = []
        parsed.reserveCapacity(txs.count)
        for (index, stored) in txs.enumerated() {
            let tx: LedgerTransaction
            do {
                tx = try LedgerTransaction(bytes: stored.canonical)
            } catch {
                throw Fault(height: height, rejection: .tx(index: index, reason: "is invalid: \(error)"))
            }
            guard tx.canonical == stored.canonical else {
                throw Fault(height: height, rejection: .tx(index: index, reason: "is not in canonical form"))
            }
            guard tx.hash == stored.hash else {
                throw Fault(height: height, check: "txHash", detail: "transaction \(index)'s hash does not match its bytes")
            }
            parsed.append(tx)
        }
        return parsed
    }

    /// The hash the source recorded for the block, if any, is the hash of its header.
    private static func checkStoredHash(_ storedHash: MerkleHash?, of header: BlockHeader) throws(Fault) {
        if let storedHash, storedHash != header.hash {
            throw Fault(height: header.height, check: "hash", detail: "the stored block hash does not match its header")
        }
    }

    /// Runs block rules, reporting a broken one as the fault of the block at `height`.
    private static func judged<Result>(at height: UInt64, _ rules: () throws(BlockRejection) -> Result) throws(Fault) -> Result {
        do {
            return try rules()
        } catch {
            throw Fault(height: height, rejection: error)
        }
    }

    /// Block 0 is the genesis of the schedule's set, carrying no transactions.
    private mutating func verifyGenesis(_ header: BlockHeader, storedHash: MerkleHash?, txs: [StoredTx]) throws(Fault) {
        func fault(_ check: String, _ detail: String) -> Fault { Fault(height: header.height, check: check, detail: detail) }
        guard header.height == 0 else { throw Fault(height: header.height, rejection: .height(expected: 0, got: header.height)) }
        try Self.checkStoredHash(storedHash, of: header)
        guard header == Genesis.header(validators: rules.schedule.genesis) else {
            throw fault("genesis", "block 0 is not the genesis of this validator set")
        }
        guard txs.isEmpty else { throw fault("genesis", "genesis carries no transactions") }
        previous = header
        previousHash = header.hash
    }
}
