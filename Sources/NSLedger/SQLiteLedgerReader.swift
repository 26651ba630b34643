import Foundation
import GRDB
import NSCore

/// Read access to the SQLite ledger from database snapshots; never blocks the writer. Its reads
/// are synchronous (each satisfies the async ``LedgerReader`` requirement).
public struct SQLiteLedgerReader: LedgerReader {
    let pool: DatabasePool
    /// The writer's lookup entries not yet in the lookup tables; read before each snapshot.
    let pending: PendingLookups
    /// What the one writer (``SQLiteLedgerStore``) committed last.
    let current: CurrentHead

    /// The tip as the writer committed it last: one process writes a file, so that is the database's.
    public func head() -> LedgerHead {
        current.value
    }

    public func latestBlock() throws -> LedgerBlock {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM blocks ORDER BY height DESC LIMIT 1")!  // genesis always exists
            return try block(row: row, db: db)
        }
    }

    public func block(height: UInt64) throws -> LedgerBlock? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM blocks WHERE height = ?", arguments: [Int64(height)]).map { try block(row: $0, db: db) }
        }
    }

    private func block(row: Row, db: Database) throws -> LedgerBlock {
        let header = BlockHeader(row: row)
        let count: Int64 = row["tx_count"]
        let hashes = try Data.fetchAll(db, sql: "SELECT hash FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index",
                                       arguments: [Int64(header.logSize) - count, Int64(header.logSize)])
        return LedgerBlock(header: header, hash: MerkleHash(Array(row["hash"] as Data)), txHashes: hashes.map { MerkleHash(Array($0)) })
    }

    /// The committed transactions of block `height`, in order.
    public func transactions(inBlock height: UInt64) throws -> [CommittedTx] {
        try pool.read { db in
            guard let block = try Row.fetchOne(db, sql: "SELECT log_size, tx_count FROM blocks WHERE height = ?", arguments: [Int64(height)]) else { return [] }
            let end: Int64 = block["log_size"]
            let count: Int64 = block["tx_count"]
            return try Row.fetchAll(db, sql: "SELECT * FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index",
                                    arguments: [end - count, end]).map(Self.committed)
        }
    }

    public func transaction(hash: MerkleHash) throws -> CommittedTx? {
        try committed(key: hash.lookupKey, in: "tx_lookup", pending: pending.leaves(hashKey: hash.lookupKey), matching: "hash", hash).first
    }

    /// The transactions anchoring an artifact, oldest first.
    public func transactions(artifactSHA256: String) throws -> [CommittedTx] {
        guard let digest = MerkleHash(hex: artifactSHA256) else { return [] }
        return try committed(key: digest.lookupKey, in: "artifact_lookup", pending: pending.leaves(artifactKey: digest.lookupKey), matching: "artifact", digest)
    }

    /// The transaction recording `jobID`, so a job's outcome outlives its queue record: committed
    /// if any is, else waiting in the mempool; `nil` when neither holds one. A job retried after its
    /// transaction was accepted may record several (a code job whose snippet ran again on another
    /// vp-node): the newest committed one is answered, since the attempt that completed the job
    /// sent its transaction last. Committed and pending are read from one snapshot, so a
    /// transaction moving into a block meanwhile is found in one or the other.
    public func transaction(jobID: String) throws -> JobTransaction? {
        let key = LedgerJobKey.of(jobID)
        let pendingLeaves = pending.leaves(jobKey: key)  // before the snapshot (``PendingLookups``)
        return try pool.read { db in
            if let tx = try JobLookups.newestCommitted(jobID, pending: pendingLeaves, db) { return .committed(tx) }
            return try JobLookups.newestPending(jobID, db).map { .pending(hash: $0.hash, canonical: $0.canonical) }
        }
    }

    /// The newest transaction recording `jobID`, pending or committed: a pending one if the mempool
    /// holds any (it is newer than every committed one, since blocks take the mempool oldest
    /// first), else the newest committed. What admin-node's audit anchors need (``AuditAnchor``):
    /// the head anchored last, before its block as well as after.
    public func newestTransaction(jobID: String) throws -> JobTransaction? {
        let key = LedgerJobKey.of(jobID)
        let pendingLeaves = pending.leaves(jobKey: key)  // before the snapshot (``PendingLookups``)
        return try pool.read { db in
            if let tx = try JobLookups.newestPending(jobID, db) { return .pending(hash: tx.hash, canonical: tx.canonical) }
            return try JobLookups.newestCommitted(jobID, pending: pendingLeaves, db).map { .committed($0) }
        }
    }

    /// The committed rows among the candidate leaves for `key` whose `column` is `digest`, in
    /// leaf order. `pending` must be read before the snapshot begins (``PendingLookups``).
    private func committed(key: Int64, in table: String, pending: [Int64], matching column: String, _ digest: MerkleHash) throws -> [CommittedTx] {
        try pool.read { db in
            try LookupTables.leaves(key: key, in: table, pending: pending, db).compactMap { leaf in
                try Row.fetchOne(db, sql: "SELECT * FROM txs WHERE leaf_index = ? AND \(column) = ?", arguments: [leaf, Data(digest.bytes)]).map(Self.committed)
            }
        }
    }

    static func committed(_ row: Row) -> CommittedTx {
        CommittedTx(hash: MerkleHash(Array(row["hash"] as Data)), leafIndex: UInt64(row["leaf_index"] as Int64),
                    blockHeight: UInt64(row["block_height"] as Int64), canonical: Array(row["body"] as Data))
    }

    /// Pending transactions in arrival order.
    public func mempool(limit: Int) throws -> (total: Int, txs: [(hash: MerkleHash, canonical: [UInt8])]) {
        try pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mempool") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT hash, body FROM mempool ORDER BY seq LIMIT ?", arguments: [limit])
            return (total, rows.map { (MerkleHash(Array($0["hash"] as Data)), Array($0["body"] as Data)) })
        }
    }

    /// The log size of the latest block.
    public func logSize() throws -> UInt64 {
        try pool.read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT log_size FROM blocks ORDER BY height DESC LIMIT 1") ?? 0) }
    }

    /// Audit path for `leaf` in the tree of `size` leaves, with that tree's root.
    public func inclusionProof(leaf: UInt64, size: UInt64) throws -> (proof: [MerkleHash], root: MerkleHash) {
        try pool.read { db in
            let current = UInt64(try Int64.fetchOne(db, sql: "SELECT log_size FROM blocks ORDER BY height DESC LIMIT 1") ?? 0)
            guard size <= current else { throw LedgerError.outOfRange("tree size \(size) is beyond the log size \(current)") }
            guard leaf < size else { throw LedgerError.outOfRange("leaf \(leaf) is not in a tree of \(size) leaves") }
            let source = StoredSubtrees(db: db)
            return (try MerkleTree.inclusionProof(index: leaf, size: size, source: source), try MerkleTree.rootOfRange(0, size, source: source))
        }
    }

    /// Consistency proof between the trees of `from` and `to` leaves, with both roots.
    public func consistencyProof(from: UInt64, to: UInt64) throws -> (proof: [MerkleHash], fromRoot: MerkleHash, toRoot: MerkleHash) {
        try pool.read { db in
            let current = UInt64(try Int64.fetchOne(db, sql: "SELECT log_size FROM blocks ORDER BY height DESC LIMIT 1") ?? 0)
            guard from <= to else { throw LedgerError.outOfRange("from \(from) is larger than to \(to)") }
            guard to <= current else { throw LedgerError.outOfRange("tree size \(to) is beyond the log size \(current)") }
            let source = StoredSubtrees(db: db)
            return (try MerkleTree.consistencyProof(old: from, new: to, source: source),
                    try MerkleTree.rootOfRange(0, from, source: source), try MerkleTree.rootOfRange(0, to, source: source))
        }
    }

    /// The newest signed checkpoint note.
    public func latestCheckpoint() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY log_size DESC LIMIT 1") ?? "" }
    }
}
