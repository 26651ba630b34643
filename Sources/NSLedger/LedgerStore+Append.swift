import Foundation
import GRDB
import NSCore
import NSSQLite

/// A block as a producer proposes it: the signed header and its transactions in order.
public struct BlockProposal: Sendable {
    public let header: BlockHeader
    public let txs: [LedgerTransaction]

    public init(header: BlockHeader, txs: [LedgerTransaction]) {
        self.header = header
        self.txs = txs
    }
}

extension LedgerStore {
    /// Validates `proposal` against the tip and appends it atomically: block row, transactions,
    /// new tree nodes, mempool removal and the new signed checkpoint commit together or not at all.
    ///
    /// Checks, in order: height = tip + 1, prevHash = tip hash (both conflicts: 409), time not
    /// before the tip nor beyond the allowed skew, producer in the set active at the block's height
    /// (``ValidatorSchedule``: a change recorded at tip H governs from H + 1), its signature,
    /// transaction count, each transaction not repeated nor already committed, txRoot, logSize,
    /// logRoot. Transactions were validated when the proposal was decoded.
    public func append(_ proposal: BlockProposal) throws(BlockRejection) -> BlockHeader {
        let header = proposal.header
        guard header.height == tip.height + 1 else { throw .height(expected: tip.height + 1, got: header.height) }
        guard header.prevHash == tipHash else { throw .prevHash }
        guard header.time >= tip.time else { throw .time("\(header.time) is before the tip's \(tip.time)") }
        guard header.time <= now() + settings.maxClockSkewMs else { throw .time("\(header.time) is too far in the future") }
        let standing = schedule.standing(of: header.producer, at: header.height)
        guard case .active(let validator) = standing else { throw .producer(header.producer, reason: standing.reason) }
        guard header.hasValidSignature(by: validator.publicKey) else { throw .signature }
        guard !proposal.txs.isEmpty else { throw .txCount("a block must carry at least one transaction") }
        guard proposal.txs.count <= settings.maxBlockTxs else { throw .txCount("a block carries at most \(settings.maxBlockTxs) transactions") }

        var seen = Set<MerkleHash>(minimumCapacity: proposal.txs.count)
        for (index, tx) in proposal.txs.enumerated() where !seen.insert(tx.hash).inserted {
            throw .duplicateTx(index: index, txHash: tx.hash.hex)
        }
        let leaves = proposal.txs.map(\.leafHash)
        guard MerkleTree.root(leaves: leaves) == header.txRoot else { throw .txRoot }
        let expectedSize = tip.logSize + UInt64(leaves.count)
        guard header.logSize == expectedSize else { throw .logSize(expected: expectedSize, got: header.logSize) }
        var newRange = range
        var created: [CompactRange.Node] = []
        for leaf in leaves { created += newRange.append(leaf) }
        guard newRange.root == header.logRoot else { throw .logRoot }

        let note = Checkpoint(origin: settings.origin, size: newRange.size, root: newRange.root).signed(with: settings.checkpointKey)
        let firstLeaf = Int64(tip.logSize)
        let removed: Int
        let hasPending = mempoolCount > 0
        do {
            if lookups.count >= settings.lookupBatch { try flushLookups() }
        } catch {
            throw .unavailable(Self.describe(error))
        }
        // In before the commit, and out again if it fails (``PendingLookups``).
        lookups.add(proposal.txs.enumerated().map { offset, tx in
            PendingLookups.Entry(leaf: firstLeaf + Int64(offset), hashKey: tx.hash.lookupKey, artifactKey: tx.artifactDigest.lookupKey,
                                 jobKey: JobLookups.key(tx.jobID))
        })
        do {
            removed = try pool.write { db -> Int in
                // Already committed? Checked inside the write transaction, so nothing can slip in
                // between; in key order, so the lookup table's pages are visited in sequence.
                let committed = try LookupTables.Committed(pending: lookups, db)
                for (_, index) in proposal.txs.enumerated().map({ ($1.hash.lookupKey, $0) }).sorted(by: { $0.0 < $1.0 }) {
                    if try committed(proposal.txs[index].hash) != nil {
                        throw AlreadyCommitted(index: index)
                    }
                }
                try Self.insert(block: header, txCount: proposal.txs.count, db: db)
                let insertTx = try BoundStatement(db, sql: """
                    INSERT INTO txs (leaf_index, hash, leaf_hash, block_height, artifact, body) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                let deletePending = try BoundStatement(db, sql: "DELETE FROM mempool WHERE hash = ?")
                var removed = 0
                for (offset, tx) in proposal.txs.enumerated() {
                    try insertTx.bind(firstLeaf + Int64(offset), at: 1)
                    try insertTx.bind(tx.hash.bytes, at: 2)
                    try insertTx.bind(leaves[offset].bytes, at: 3)
                    try insertTx.bind(Int64(header.height), at: 4)
                    try insertTx.bind(tx.artifactDigest.bytes, at: 5)
                    try insertTx.bind(tx.canonical, at: 6)
                    try insertTx.run()
                    if hasPending {
                        try deletePending.bind(tx.hash.bytes, at: 1)
                        try deletePending.run()
                        removed += db.changesCount
                    }
                }
                let insertNode = try BoundStatement(db, sql: "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)")
                for node in created {
                    try insertNode.bind(Int64(node.level), at: 1)
                    try insertNode.bind(Int64(node.index), at: 2)
                    try insertNode.bind(node.hash.bytes, at: 3)
                    try insertNode.run()
                }
                try db.execute(sql: "INSERT INTO checkpoints (log_size, note) VALUES (?, ?)", arguments: [Int64(newRange.size), note])
                return removed
            }
        } catch {
            lookups.removeLast(proposal.txs.count)
            if let duplicate = error as? AlreadyCommitted { throw .duplicateTx(index: duplicate.index, txHash: proposal.txs[duplicate.index].hash.hex) }
            throw .unavailable(Self.describe(error))
        }
        tip = header
        tipHash = header.hash
        range = newRange
        mempoolCount -= removed
        return header
    }
}

extension LedgerStore {
    /// Writes the pending lookup entries to the lookup tables in one sorted batch and commits.
    func flushLookups() throws {
        let entries = lookups.entries
        guard !entries.isEmpty else { return }
        try pool.write { db in try LookupTables.write(entries, db) }
        lookups.removeFirst(entries.count)
    }
}

/// Thrown inside the append transaction to roll it back when a transaction is already committed.
private struct AlreadyCommitted: Error {
    let index: Int
}
