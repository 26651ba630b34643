import NSCore

/// Re-checks a chain block by block, from genesis, the way a third party would: every link,
/// signature, transaction, root and size. Used by `nsctl chain verify` against a live ns-node or
/// a database file.
public struct ChainVerifier: Sendable {
    /// The first thing found wrong: the height and the check that failed.
    public struct Fault: Error, Equatable, Sendable, CustomStringConvertible {
        public let height: UInt64
        public let check: String
        public let detail: String

        public init(height: UInt64, check: String, detail: String) {
            self.height = height
            self.check = check
            self.detail = detail
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

    private let schedule: ValidatorSchedule
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
    /// is as trustworthy as the source of those records.
    public init(schedule: ValidatorSchedule) {
        self.schedule = schedule
    }

    /// Checks the next block. `storedHash` is the hash the source recorded for it, if any.
    public mutating func verify(_ header: BlockHeader, storedHash: MerkleHash?, txs: [StoredTx]) throws(Fault) {
        func fault(_ check: String, _ detail: String) -> Fault { Fault(height: header.height, check: check, detail: detail) }
        let expectedHeight = previous.map { $0.height + 1 } ?? 0
        guard header.height == expectedHeight else { throw fault("height", "expected height \(expectedHeight)") }
        if let storedHash, storedHash != header.hash { throw fault("hash", "the stored block hash does not match its header") }
        guard let previous, let previousHash else {
            guard header == Genesis.header(validators: schedule.genesis) else {
                throw fault("genesis", "block 0 is not the genesis of this validator set")
            }
            guard txs.isEmpty else { throw fault("genesis", "genesis carries no transactions") }
            self.previous = header
            self.previousHash = header.hash
            return
        }
        guard header.prevHash == previousHash else { throw fault("prevHash", "does not name block \(previous.height)") }
        guard header.time >= previous.time else { throw fault("time", "is before block \(previous.height)'s") }
        let standing = schedule.standing(of: header.producer, at: header.height)
        guard case .active(let validator) = standing else { throw fault("producer", "\(header.producer) \(standing.reason)") }
        guard header.hasValidSignature(by: validator.publicKey) else { throw fault("signature", "does not verify with \(validator.name)'s key") }
        guard !txs.isEmpty else { throw fault("txCount", "the block has no transactions") }
        var leaves: [MerkleHash] = []
        leaves.reserveCapacity(txs.count)
        for (index, stored) in txs.enumerated() {
            let tx: LedgerTransaction
            do {
                tx = try LedgerTransaction(bytes: stored.canonical)
            } catch {
                throw fault("tx", "transaction \(index) is invalid: \(error)")
            }
            guard tx.canonical == stored.canonical else { throw fault("tx", "transaction \(index) is not in canonical form") }
            guard tx.hash == stored.hash else { throw fault("txHash", "transaction \(index)'s hash does not match its bytes") }
            leaves.append(tx.leafHash)
        }
        guard MerkleTree.root(leaves: leaves) == header.txRoot else { throw fault("txRoot", "does not match the transactions") }
        var next = range
        for leaf in leaves { next.append(leaf) }
        guard header.logSize == next.size else { throw fault("logSize", "should be \(next.size)") }
        guard header.logRoot == next.root else { throw fault("logRoot", "does not match the log after this block") }
        range = next
        self.previous = header
        self.previousHash = header.hash
    }
}
