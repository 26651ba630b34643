import Foundation
import GRDB
import NSCore
import NSSQLite

extension SQLiteLedgerStore {
    /// Validates `proposal` against the tip and appends it atomically: block row, transactions,
    /// new tree nodes, mempool removal and the new signed checkpoint commit together or not at all.
    ///
    /// The block must meet ``BlockRules`` (the rules `nsctl chain verify` checks again), with this
    /// node's clock for `time` and its committed transactions for `duplicateTx`; the producer is
    /// judged by the set active at the block's height (a change recorded at tip H governs from
    /// H + 1). Transactions were validated when the proposal was decoded.
    public func append(_ proposal: BlockProposal) throws(BlockRejection) -> AppendOutcome {
        let before = current.value
        let body = try validate(proposal, on: before)
        let removed = try persist(proposal, body, on: before)
        let after = LedgerHead(header: proposal.header, hash: proposal.header.hash, frontier: body.log, pendingCount: before.pendingCount - removed)
        current.set(after)
        return AppendOutcome(header: after.header, pendingCount: after.pendingCount)
    }

    /// The block rules over the tip; every transaction's absence from the log is checked by
    /// ``persist(_:_:on:)``, inside its write transaction.
    private func validate(_ proposal: BlockProposal, on head: LedgerHead) throws(BlockRejection) -> BlockRules.Body {
        let rules = BlockRules(schedule: schedule, maxTxs: settings.maxBlockTxs)
        try rules.checkHeader(proposal.header, after: head.header, previousHash: head.hash, notAfter: now() + settings.maxClockSkewMs)
        return try rules.checkBody(proposal.header, txs: proposal.txs, log: head.frontier)
    }

    /// Commits the validated block in one write transaction, refusing it as `duplicateTx` if a
    /// transaction is already committed; returns how many transactions left the mempool.
    private func persist(_ proposal: BlockProposal, _ body: BlockRules.Body, on head: LedgerHead) throws(BlockRejection) -> Int {
        let txs = proposal.txs
        let note = Checkpoint(origin: settings.origin, size: body.log.size, root: body.log.root).signed(with: settings.checkpointKey)
        let firstLeaf = Int64(head.header.logSize)
        let hasPending = head.pendingCount > 0
        do {
            if lookups.count >= settings.lookupBatch { try flushLookups() }
        } catch {
            throw .unavailable(Self.describe(error))
        }
        // In before the commit, and out again if it fails (``PendingLookups``).
        lookups.add(txs.enumerated().map { offset, tx in
            PendingLookups.Entry(leaf: firstLeaf + Int64(offset), hashKey: tx.hash.lookupKey, artifactKey: tx.artifactDigest.lookupKey,
                                 jobKey: LedgerJobKey.of(tx.jobID))
        })
        do {
            return try pool.write { db -> Int in
                // Already committed? Checked inside the write transaction, so nothing can slip in
                // between; in key order, so the lookup table's pages are visited in sequence.
                let committed = try LookupTables.Committed(pending: lookups, db)
                for (_, index) in txs.enumerated().map({ ($1.hash.lookupKey, $0) }).sorted(by: { $0.0 < $1.0 }) {
                    if try committed(txs[index].hash) != nil {
                        throw AlreadyCommitted(index: index)
                    }
                }
                return try Self.insert(proposal, body, firstLeaf: firstLeaf, note: note, deletingPending: hasPending, db: db)
            }
        } catch {
            lookups.removeLast(txs.count)
            if let duplicate = error as? AlreadyCommitted { throw .duplicateTx(index: duplicate.index, txHash: txs[duplicate.index].hash.hex) }
            throw .unavailable(Self.describe(error))
        }
    }

    /// Writes the block, its transactions (removing them from the mempool when `deletingPending`),
    /// the tree nodes it completes and its checkpoint; returns how many left the mempool.
    private static func insert(_ proposal: BlockProposal, _ body: BlockRules.Body, firstLeaf: Int64, note: String,
                               deletingPending: Bool, db: Database) throws -> Int {
        let (header, txs) = (proposal.header, proposal.txs)
        try Self.insert(block: header, txCount: txs.count, db: db)
        let insertTx = try BoundStatement(db, sql: """
            INSERT INTO txs (leaf_index, hash, leaf_hash, block_height, artifact, body) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let deletePending = try BoundStatement(db, sql: "DELETE FROM mempool WHERE hash = ?")
        var removed = 0
        for (offset, tx) in txs.enumerated() {
            try insertTx.bind(firstLeaf + Int64(offset), at: 1)
            try insertTx.bind(tx.hash.bytes, at: 2)
            try insertTx.bind(body.leaves[offset].bytes, at: 3)
            try insertTx.bind(Int64(header.height), at: 4)
            try insertTx.bind(tx.artifactDigest.bytes, at: 5)
            try insertTx.bind(tx.canonical, at: 6)
            try insertTx.run()
            if deletingPending {
                try deletePending.bind(tx.hash.bytes, at: 1)
                try deletePending.run()
                removed += db.changesCount
            }
        }
        let insertNode = try BoundStatement(db, sql: "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)")
        for node in body.createdNodes {
            try insertNode.bind(Int64(node.level), at: 1)
            try insertNode.bind(Int64(node.index), at: 2)
            try insertNode.bind(node.hash.bytes, at: 3)
            try insertNode.run()
        }
        try db.execute(sql: "INSERT INTO checkpoints (log_size, note) VALUES (?, ?)", arguments: [Int64(body.log.size), note])
        return removed
    }
}

extension SQLiteLedgerStore {
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
