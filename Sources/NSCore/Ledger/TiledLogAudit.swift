/// Re-verifies the tiles and entry bundles of a signed checkpoint's tree from a given size on,
/// trusting none of them: each entry must hash to its leaf in the level-0 tile, each full tile
/// must hash to its hash one level up, and the tiles' tree hash must be the signed root. With
/// those three, every hash and entry read authenticates against the checkpoint.
///
/// Tiles are read one at a time, level by level, keeping one tile per level (its parent) at
/// most, so memory stays bounded whatever the log's size: the largest thing held is one entry
/// bundle (256 entries of at most 64 KiB).
public struct TiledLogAudit<Source: LogTileSource>: Sendable {
    public struct Summary: Sendable, Equatable {
        /// Hash tiles checked (a parent read to check its children is not counted twice).
        public var hashTiles = 0
        public var entryBundles = 0
        public var entries: UInt64 = 0

        public init() {}
    }

    public let checkpoint: Checkpoint
    public let source: Source

    public init(checkpoint: Checkpoint, source: Source) {
        self.checkpoint = checkpoint
        self.source = source
    }

    /// Checks every tile of the checkpoint's tree holding a leaf at or after `oldSize` (0: the
    /// whole log), and the root; throws ``TiledLogCheckError/invalid(_:)`` naming the first
    /// tile that does not verify.
    public func verify(newSince oldSize: UInt64) async throws(TiledLogCheckError) -> Summary {
        var summary = Summary()
        let size = checkpoint.size
        var level = 0
        while level * LogTile.height < 64, size >> UInt64(level * LogTile.height) > 0 {
            let first = (oldSize >> UInt64(level * LogTile.height)) / UInt64(LogTile.fullWidth)
            var parent: (tile: LogTile, hashes: [MerkleHash])?
            for tile in LogTile.tiles(level: level, logSize: size) where tile.index >= first {
                let hashes = try tile.hashes(from: try await source.hashTile(tile))
                summary.hashTiles += 1
                if level == 0 {
                    try await checkEntries(of: tile, against: hashes)
                    summary.entryBundles += 1
                    summary.entries += UInt64(tile.width)
                }
                guard tile.isFull else { continue }
                let up = try await parentTile(of: tile, cached: parent)
                parent = up
                let position = Int(tile.index % UInt64(LogTile.fullWidth))
                guard MerkleTree.root(leaves: hashes) == up.hashes[position] else {
                    throw .invalid("\(tile.path) does not hash to hash \(position) of \(up.tile.path)")
                }
            }
            level += 1
        }
        let root = try await TiledTree(size: size, source: source).root()
        guard root == checkpoint.root else {
            throw .invalid("the tiles of size \(size) hash to root \(root.base64), not the checkpoint's \(checkpoint.root.base64)")
        }
        return summary
    }

    private func checkEntries(of tile: LogTile, against hashes: [MerkleHash]) async throws(TiledLogCheckError) {
        let entries = try tile.entries(from: try await source.entryBundle(tile))
        let start = tile.index * UInt64(LogTile.fullWidth)
        for (offset, entry) in entries.enumerated() where MerkleTree.leafHash(entry) != hashes[offset] {
            throw .invalid("\(tile.entriesPath): entry \(start + UInt64(offset)) does not hash to its leaf in \(tile.path)")
        }
    }

    /// The tile one level up holding the full `tile`'s hash: `cached` when it is that one.
    private func parentTile(of tile: LogTile, cached: (tile: LogTile, hashes: [MerkleHash])?) async throws(TiledLogCheckError)
        -> (tile: LogTile, hashes: [MerkleHash]) {
        let index = tile.index / UInt64(LogTile.fullWidth)
        if let cached, cached.tile.index == index { return cached }
        guard let parent = LogTile(level: tile.level + 1, index: index, logSize: checkpoint.size) else {
            throw .invalid("\(tile.path) has no tile above it in a tree of \(checkpoint.size)")
        }
        return (parent, try parent.hashes(from: try await source.hashTile(parent)))
    }
}
