import NSCore

/// How every engine reads a tile: one range read of the rows appends store anyway (leaf hashes,
/// tree nodes, transaction bodies), so tiles cost appends nothing and a restart or a restore has
/// nothing to rebuild. Rows of a tile appear all at once, with the block that completes them, so
/// a read that finds all `width` rows is the answer; one that finds fewer asks the log size, and
/// only when that size says the tile exists reads again (it was committed meanwhile) before
/// calling the rows missing a storage failure.
public enum TileRead {
    /// The rows of `tile` read by `rows` over its node range, or nil when the log is smaller than
    /// the tile. `logSize` is read only after a short read, and must answer the committed size.
    public static func rows<Row>(of tile: LogTile, _ rows: (Range<Int64>) async throws -> [Row],
                                 logSize: () async throws -> UInt64) async throws -> [Row]? {
        guard let range = tile.nodes, let needed = tile.minimumLogSize else { return nil }
        let first = try await rows(range)
        if first.count == tile.width { return first }
        guard try await logSize() >= needed else { return nil }
        let second = try await rows(range)
        guard second.count == tile.width else {
            throw LedgerError.storage("\(tile) has \(second.count) of its \(tile.width) stored rows though the log holds it")
        }
        return second
    }

    /// ``LedgerReader/tileEntries(_:)``'s refusal of a tile above level 0.
    public static func requireLevelZero(_ tile: LogTile) throws(LedgerError) {
        guard tile.level == 0 else { throw LedgerError.outOfRange("entry bundles exist for level-0 tiles only, not \(tile)") }
    }

    /// The hashes read back for a tile, each checked to be 32 bytes.
    public static func hashes(_ rows: [[UInt8]], of tile: LogTile) throws(LedgerError) -> [MerkleHash] {
        try rows.map { bytes throws(LedgerError) in
            guard bytes.count == 32 else { throw LedgerError.storage("\(tile) holds a stored hash of \(bytes.count) bytes") }
            return MerkleHash(bytes)
        }
    }
}
