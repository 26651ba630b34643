import Foundation
import GRDB
import NSCore

extension SQLiteLedgerReader {
    /// Level 0 from `txs.leaf_hash`, higher levels from `tree_nodes` at level 8·L: one range read
    /// on a primary key each. Synchronous, as every read of this store: GRDB's async `read` waits
    /// for a reader on the cooperative pool, and with other tasks blocked in synchronous reads on
    /// its two threads (two cores) the two waits deadlock; `TiledLogTests` holds 128 concurrent
    /// requests to that.
    public func tileHashes(_ tile: LogTile) async throws -> [MerkleHash]? {
        let rows = try await TileRead.rows(of: tile, { range in
            try pool.read { db in
                if tile.level == 0 {
                    return try Data.fetchAll(db.cachedStatement(sql: "SELECT leaf_hash FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"),
                                             arguments: [range.lowerBound, range.upperBound]).map { Array($0) }
                }
                return try Data.fetchAll(db.cachedStatement(sql: "SELECT hash FROM tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx"),
                                         arguments: [tile.treeLevel, range.lowerBound, range.upperBound]).map { Array($0) }
            }
        }, logSize: { try logSize() })
        return try rows.map { rows throws(LedgerError) in try TileRead.hashes(rows, of: tile) }
    }

    public func tileEntries(_ tile: LogTile) async throws -> [[UInt8]]? {
        try TileRead.requireLevelZero(tile)
        return try await TileRead.rows(of: tile, { range in
            try pool.read { db in
                try Data.fetchAll(db.cachedStatement(sql: "SELECT body FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"),
                                  arguments: [range.lowerBound, range.upperBound]).map { Array($0) }
            }
        }, logSize: { try logSize() })
    }
}
