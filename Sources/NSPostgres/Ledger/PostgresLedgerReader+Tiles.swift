import NIOCore
import NSCore
import NSLedger
import PostgresNIO

extension PostgresLedgerReader {
    /// Level 0 from `txs.leaf_hash`, higher levels from `tree_nodes` at level 8·L: one range read
    /// on a primary key each, on one connection with the log size a short read needs.
    public func tileHashes(_ tile: LogTile) async throws -> [MerkleHash]? {
        let query: @Sendable (Range<Int64>) -> PostgresQuery = { range in
            if tile.level == 0 {
                return "SELECT leaf_hash FROM ledger.txs WHERE leaf_index >= \(range.lowerBound) AND leaf_index < \(range.upperBound) ORDER BY leaf_index"
            }
            return """
                SELECT hash FROM ledger.tree_nodes WHERE level = \(Int16(tile.treeLevel)) AND idx >= \(range.lowerBound) AND idx < \(range.upperBound)
                ORDER BY idx
                """
        }
        return try await rows(of: tile, query).map { rows throws(LedgerError) in try TileRead.hashes(rows, of: tile) }
    }

    public func tileEntries(_ tile: LogTile) async throws -> [[UInt8]]? {
        try TileRead.requireLevelZero(tile)
        return try await rows(of: tile) { range in
            "SELECT body FROM ledger.txs WHERE leaf_index >= \(range.lowerBound) AND leaf_index < \(range.upperBound) ORDER BY leaf_index"
        }
    }

    /// The one byte column `query` reads for the tile's range (``TileRead``).
    private func rows(of tile: LogTile, _ query: @escaping @Sendable (Range<Int64>) -> PostgresQuery) async throws -> [[UInt8]]? {
        let logger = logger
        return try await database.read { connection in
            try await TileRead.rows(of: tile, { range in
                var values: [[UInt8]] = []
                for try await value in try await connection.query(query(range), logger: logger).decode(ByteBuffer.self) { values.append(value.byteArray) }
                return values
            }, logSize: { try await Self.logSize(connection, logger: logger) })
        }
    }
}
