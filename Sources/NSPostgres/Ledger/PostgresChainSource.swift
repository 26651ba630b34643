import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The ledger in PostgreSQL as `ChainAudit` reads it (`nsctl chain verify --database-url`).
/// Each call reads one snapshot; the blocks are read a page at a time so memory stays bounded
/// however long the chain.
public struct PostgresChainSource: ChainAuditSource {
    let database: PostgresDatabase
    /// Blocks read per round trip.
    let pageSize: Int

    public init(database: PostgresDatabase, pageSize: Int = 256) {
        self.database = database
        self.pageSize = max(1, pageSize)
    }

    public func validatorLog() async throws -> (genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)]) {
        let logger = database.queryLogger
        return try await database.snapshot { connection in
            (try await PostgresValidatorLog.genesis(connection, logger: logger), try await PostgresValidatorLog.changes(connection, logger: logger))
        }
    }

    public func forEachBlock(_ body: (BlockHeader, _ storedHash: MerkleHash, _ txs: [ChainVerifier.StoredTx], _ filedUnder: [UInt64]) async throws -> Bool)
        async throws {
        var nextHeight: Int64 = 0
        var leaf: Int64 = 0
        while true {
            let page = try await page(from: nextHeight, firstLeaf: leaf)
            for entry in page {
                guard try await body(entry.block.header, entry.block.hash, entry.txs, entry.filedUnder) else { return }
                leaf += entry.block.txCount
            }
            guard page.count == pageSize, let last = page.last else { return }
            nextHeight = Int64(last.block.header.height) + 1
        }
    }

    private struct Entry: Sendable {
        let block: PostgresLedgerRows.StoredBlock
        let txs: [ChainVerifier.StoredTx]
        let filedUnder: [UInt64]
    }

    /// Up to `pageSize` blocks from `height`, each with the transactions at the leaves that follow
    /// the ones before it (from `firstLeaf`), whatever block those rows are filed under.
    private func page(from height: Int64, firstLeaf: Int64) async throws -> [Entry] {
        let (logger, limit) = (database.queryLogger, Int64(pageSize))
        return try await database.snapshot { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: PostgresLedgerRows.blockColumns) FROM ledger.blocks WHERE height >= \(height) ORDER BY height LIMIT \(limit)
                """, logger: logger)
            let blocks = try await PostgresLedgerRows.all(rows, PostgresLedgerRows.block)
            let leafCount = blocks.reduce(Int64(0)) { $0 + $1.txCount }
            let txRows = try await connection.query("""
                SELECT leaf_index, hash, body, block_height FROM ledger.txs WHERE leaf_index >= \(firstLeaf) AND leaf_index < \(firstLeaf + leafCount)
                ORDER BY leaf_index
                """, logger: logger)
            var txs: [Int64: (ChainVerifier.StoredTx, UInt64)] = [:]
            for try await (leaf, hash, body, filed) in txRows.decode((Int64, ByteBuffer, ByteBuffer, Int64).self) {
                txs[leaf] = (ChainVerifier.StoredTx(hash: MerkleHash(buffer: hash), canonical: body.byteArray), UInt64(filed))
            }
            var entries: [Entry] = []
            var start = firstLeaf
            for block in blocks {
                // A missing row leaves its block short, which the audit reports at that block.
                let found = (start..<start + block.txCount).compactMap { txs[$0] }
                entries.append(Entry(block: block, txs: found.map(\.0), filedUnder: found.map(\.1)))
                start += block.txCount
            }
            return entries
        }
    }

    public func storedRoot(size: UInt64) async throws -> MerkleHash {
        let logger = database.queryLogger
        return try await database.read { connection in
            try await PostgresTreeNodes.compute(connection, logger: logger) { source in try MerkleTree.rootOfRange(0, size, source: source) }
        }
    }
}
