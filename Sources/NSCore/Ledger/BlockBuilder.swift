/// Builds the signed header for the next block, as a producer does: it needs the tip, the log's
/// compact range (ns-node's `/v1/log/frontier`) and the transactions to include.
public enum BlockBuilder {
    public static func header(after tip: BlockHeader, frontier: CompactRange, txs: [LedgerTransaction], timeMs: Int64,
                              key: LedgerKey) -> BlockHeader {
        let leaves = txs.map(\.leafHash)
        var range = frontier
        for leaf in leaves { range.append(leaf) }
        var header = BlockHeader(height: tip.height + 1, prevHash: tip.hash, time: max(timeMs, tip.time),
                                 txRoot: MerkleTree.root(leaves: leaves), logSize: range.size, logRoot: range.root,
                                 producer: key.publicKey.validatorID)
        header.sign(with: key)
        return header
    }
}
