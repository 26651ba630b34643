import NSCore

/// A committed block: its header, hash and transaction hashes in order.
public struct LedgerBlock: Sendable {
    public let header: BlockHeader
    public let hash: MerkleHash
    public let txHashes: [MerkleHash]

    public init(header: BlockHeader, hash: MerkleHash, txHashes: [MerkleHash]) {
        self.header = header
        self.hash = hash
        self.txHashes = txHashes
    }
}

/// A committed transaction and where it sits.
public struct CommittedTx: Sendable {
    public let hash: MerkleHash
    public let leafIndex: UInt64
    public let blockHeight: UInt64
    public let canonical: [UInt8]

    public init(hash: MerkleHash, leafIndex: UInt64, blockHeight: UInt64, canonical: [UInt8]) {
        self.hash = hash
        self.leafIndex = leafIndex
        self.blockHeight = blockHeight
        self.canonical = canonical
    }
}

/// Where the transaction recording a job stands (``LedgerReader/transaction(jobID:)``).
public enum JobTransaction: Sendable {
    case committed(CommittedTx)
    /// Accepted into the mempool, not yet in a block.
    case pending(hash: MerkleHash, canonical: [UInt8])
}

/// A block as a producer proposes it: the signed header and its transactions in order.
public struct BlockProposal: Sendable {
    public let header: BlockHeader
    public let txs: [LedgerTransaction]

    public init(header: BlockHeader, txs: [LedgerTransaction]) {
        self.header = header
        self.txs = txs
    }
}

/// What `POST /tx` answers for each transaction, in the order sent: where the transaction stands,
/// or under ``SubmitRule/onePerJob`` the one the ledger holds for its job id.
public struct TxReceipt: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, committed
    }

    public var txHash: String
    public var status: Status
    public var blockHeight: Int64?
    public var leafIndex: Int64?
    /// Another transaction already recorded the submitted one's job id: `txHash` names that one,
    /// and the submitted transaction was not stored.
    public var duplicateJob: Bool

    public init(txHash: String, status: Status, blockHeight: Int64? = nil, leafIndex: Int64? = nil, duplicateJob: Bool = false) {
        self.txHash = txHash
        self.status = status
        self.blockHeight = blockHeight
        self.leafIndex = leafIndex
        self.duplicateJob = duplicateJob
    }
}

/// A validator as `GET /v1/validators` lists it: its key and its term in the set.
public struct ValidatorRecord: Sendable, Equatable {
    public let validator: Validator
    public let addedHeight: Int64
    /// The first height it may no longer produce; nil while it stays in the set.
    public let removedHeight: Int64?

    /// Whether it may produce the next block: every recorded change governs the next block, so
    /// that is "no removal recorded" (an addition recorded at the tip counts already).
    public var isActive: Bool { removedHeight == nil }

    public init(validator: Validator, addedHeight: Int64, removedHeight: Int64?) {
        self.validator = validator
        self.addedHeight = addedHeight
        self.removedHeight = removedHeight
    }
}
