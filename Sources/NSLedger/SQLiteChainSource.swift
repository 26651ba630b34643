import Foundation
import GRDB
import NSCore

/// The ledger in an SQLite database, as ``ChainAudit/audit(_:)`` reads it. Give it a reader whose
/// reads all see one state: a file nothing writes to, a `DatabaseSnapshot`, or the queue of
/// ``withSnapshot(path:_:)``, which holds one read transaction open for the whole audit.
public struct SQLiteChainSource: ChainAuditSource {
    /// How many block rows one read fetches; each block's transactions are read on their own, so
    /// memory stays bounded by one page of headers and one block's transactions.
    static let blocksPerRead = 256

    let reader: any DatabaseReader

    public init(reader: any DatabaseReader) {
        self.reader = reader
    }

    /// Opens `path` read-only and runs `body` with a source whose reads share one snapshot, so a
    /// database that is written meanwhile is still audited as of one moment.
    public static func withSnapshot<T>(path: String, _ body: (SQLiteChainSource) async throws -> T) async throws -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.notFound("database \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.allowsUnsafeTransactions = true  // the read transaction spans several accesses, on purpose
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // Read-only and already read: a failed close can lose nothing.
        defer { try? queue.close() }
        try queue.inDatabase { db in try db.beginTransaction(.deferred) }
        do {
            let result = try await body(SQLiteChainSource(reader: queue))
            try queue.inDatabase { db in try db.commit() }
            return result
        } catch {
            // Read-only: rolling back can lose nothing, and the audit's own error is the one to report.
            try? queue.inDatabase { db in try db.rollback() }
            throw error
        }
    }

    public func validatorLog() async throws -> (genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)]) {
        try await reader.read { db in try ValidatorTables.log(db) }
    }

    public func forEachBlock(_ body: (BlockHeader, _ storedHash: MerkleHash, _ txs: [ChainVerifier.StoredTx], _ filedUnder: [UInt64]) async throws -> Bool) async throws {
        var nextHeight: Int64 = 0
        var firstLeaf: Int64 = 0
        while true {
            let from = nextHeight
            let page = try await reader.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM blocks WHERE height >= ? ORDER BY height LIMIT ?", arguments: [from, Self.blocksPerRead])
                    .map { (header: BlockHeader(row: $0), hash: MerkleHash(Array($0["hash"] as Data)), txCount: $0["tx_count"] as Int64) }
            }
            for block in page {
                let start = firstLeaf
                let rows = try await reader.read { db in
                    try Row.fetchAll(db, sql: "SELECT hash, body, block_height FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index",
                                     arguments: [start, start + block.txCount])
                        .map { (tx: ChainVerifier.StoredTx(hash: MerkleHash(Array($0["hash"] as Data)), canonical: Array($0["body"] as Data)),
                                filedUnder: UInt64(max(0, $0["block_height"] as Int64))) }
                }
                guard try await body(block.header, block.hash, rows.map(\.tx), rows.map(\.filedUnder)) else { return }
                firstLeaf += block.txCount
                nextHeight = Int64(block.header.height) + 1
            }
            if page.count < Self.blocksPerRead { return }
        }
    }

    public func storedRoot(size: UInt64) async throws -> MerkleHash {
        try await reader.read { db in try MerkleTree.rootOfRange(0, size, source: StoredSubtrees(db: db)) }
    }
}
