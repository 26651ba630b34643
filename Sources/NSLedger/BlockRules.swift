import NSCore

/// The name of each rule a block must meet: the `check` of a refused block's problem document and
/// of a fault `nsctl chain verify` reports, so both name a broken rule the same way.
public enum BlockRule: String, Sendable, CaseIterable {
    /// height = previous height + 1.
    case height
    /// prevHash = the hash of the previous block.
    case prevHash
    /// Not before the previous block's time (and, where ns-node appends, not beyond its clock's skew).
    case time
    /// The producer is in the validator set active at the block's height.
    case producer
    /// The signature verifies with the producer's key.
    case signature
    /// At least one transaction, at most ``BlockRules/defaultMaxTxs``.
    case txCount
    /// Every transaction valid on its own; checked where its bytes are decoded.
    case tx
    /// No transaction twice in the block (and, where ns-node appends, none already committed).
    case duplicateTx
    /// The root of the block's transaction leaves.
    case txRoot
    /// The log's size after the block.
    case logSize
    /// The log's root after the block.
    case logRoot
}

/// The rules a block must meet to follow the block before it, defined once: ns-node runs them
/// before it stores a block (``LedgerStore/append(_:)``) and every audit (``ChainVerifier``:
/// `nsctl chain verify`, backup checks) runs them again, so both refuse the same blocks by the
/// same ``BlockRule`` names.
///
/// Two rules also need state the chain does not hold, which only the appending ns-node has: its
/// clock (`time` at most the allowed skew ahead, the `notAfter` argument) and the transactions
/// already committed (`duplicateTx` across blocks, checked in the append's write transaction).
public struct BlockRules: Sendable {
    /// The most transactions a block may carry, unless the store is configured otherwise.
    public static let defaultMaxTxs = 10_000

    /// Who may produce at each height.
    public let schedule: ValidatorSchedule
    /// The `txCount` limit: an audit must use the limit ns-node's store applied (`LedgerStoreSettings.maxBlockTxs`),
    /// or it refuses blocks ns-node rightly accepted.
    public let maxTxs: Int

    public init(schedule: ValidatorSchedule, maxTxs: Int = BlockRules.defaultMaxTxs) {
        self.schedule = schedule
        self.maxTxs = maxTxs
    }

    /// What the body rules computed, which the writer stores: the block's leaves, the log after
    /// the block and the complete subtrees the block added to it.
    public struct Body: Sendable {
        /// The leaf hash of each transaction, in block order: what the log appends.
        public let leaves: [MerkleHash]
        /// The log after the block; its size and root are the ones the header was checked against.
        public let log: CompactRange
        /// The complete subtrees the block's leaves closed, which the writer stores for inclusion proofs.
        public let createdNodes: [CompactRange.Node]
    }

    /// The `height` rule alone, which an audit checks before it compares a stored hash.
    public func checkHeight(_ header: BlockHeader, after previous: BlockHeader) throws(BlockRejection) {
        guard header.height == previous.height + 1 else { throw .height(expected: previous.height + 1, got: header.height) }
    }

    /// The header rules, in order: height, prevHash, time, producer, signature. `notAfter` is the
    /// latest time ns-node accepts (its clock plus the allowed skew); nil in an audit, which cannot
    /// know the clock a block was judged by.
    public func checkHeader(_ header: BlockHeader, after previous: BlockHeader, previousHash: MerkleHash,
                            notAfter: Int64?) throws(BlockRejection) {
        try checkHeight(header, after: previous)
        guard header.prevHash == previousHash else { throw .prevHash }
        guard header.time >= previous.time else { throw .time("\(header.time) is before the previous block's \(previous.time)") }
        if let notAfter, header.time > notAfter { throw .time("\(header.time) is too far in the future") }
        let standing = schedule.standing(of: header.producer, at: header.height)
        guard case .active(let validator) = standing else { throw .producer(header.producer, reason: standing.reason) }
        guard header.hasValidSignature(by: validator.publicKey) else { throw .signature }
    }

    /// The body rules over transactions already valid on their own, in order: txCount,
    /// duplicateTx within the block, txRoot, logSize, logRoot. `log` is the log before the block.
    public func checkBody(_ header: BlockHeader, txs: [LedgerTransaction], log: CompactRange) throws(BlockRejection) -> Body {
        guard !txs.isEmpty else { throw .txCount("a block must carry at least one transaction") }
        guard txs.count <= maxTxs else { throw .txCount("a block carries at most \(maxTxs) transactions") }
        var seen = Set<MerkleHash>(minimumCapacity: txs.count)
        for (index, tx) in txs.enumerated() where !seen.insert(tx.hash).inserted {
            throw .duplicateTx(index: index, txHash: tx.hash.hex)
        }
        let leaves = txs.map(\.leafHash)
        guard MerkleTree.root(leaves: leaves) == header.txRoot else { throw .txRoot }
        var after = log
        var created: [CompactRange.Node] = []
        for leaf in leaves { created += after.append(leaf) }
        guard header.logSize == after.size else { throw .logSize(expected: after.size, got: header.logSize) }
        guard header.logRoot == after.root else { throw .logRoot }
        return Body(leaves: leaves, log: after, createdNodes: created)
    }
}
