/// The tree of a signed checkpoint as its tiles give it (c2sp.org/tlog-tiles), so a client
/// computes proofs and the root from tiles alone, as clients of any tiled log do, instead of
/// asking the log for them.
///
/// Every complete subtree's hash comes from one tile of the tree: a subtree of height 8·L is a
/// hash in the level-L tile; one of height 8·L + r (r < 8) is the root over 2^r adjacent hashes
/// of that tile. What the tiles give is only as good as the source: verify the result against
/// the signed root (a consistency proof does; ``root()`` gives the root to compare).
public struct TiledTree<Source: LogTileSource>: Sendable {
    public let size: UInt64
    public let source: Source

    public init(size: UInt64, source: Source) {
        self.size = size
        self.source = source
    }

    /// The RFC 9162 consistency proof from the tree of `oldSize` leaves (at most ``size``) to
    /// this one, from this tree's tiles: O(log n) hashes from at most a few tiles per level.
    public func consistencyProof(from oldSize: UInt64) async throws(TiledLogCheckError) -> [MerkleHash] {
        guard oldSize <= size else { throw .invalid("no consistency proof leads from size \(oldSize) to the smaller size \(size)") }
        return try await computing { try MerkleTree.consistencyProof(old: oldSize, new: size, source: $0) }
    }

    /// The tree hash of the tiles: the checkpoint's root when they are the log's.
    public func root() async throws(TiledLogCheckError) -> MerkleHash {
        try await computing { try MerkleTree.rootOfRange(0, size, source: $0) }
    }

    /// The tile of this tree holding the subtree of height `level` at `index` (which must be
    /// complete in the tree), and which of its hashes the subtree spans.
    public func tile(holding level: Int, index: UInt64) -> (tile: LogTile, hashes: Range<Int>)? {
        let tileLevel = level / LogTile.height
        let below = level % LogTile.height
        guard level < 63, index < (UInt64(1) << UInt64(63 - level)), (index + 1) << UInt64(level) <= size else { return nil }
        let first = index << UInt64(below)
        let tileIndex = first / UInt64(LogTile.fullWidth)
        guard let tile = LogTile(level: tileLevel, index: tileIndex, logSize: size) else { return nil }
        let offset = Int(first % UInt64(LogTile.fullWidth))
        return (tile, offset..<offset + (1 << below))
    }

    /// Runs `compute` once to learn which subtrees it reads, fetches the tiles holding them, and
    /// runs it again on their hashes. `compute` must read the same subtrees whatever hashes it
    /// gets, as the RFC 9162 algorithms do (they follow the sizes only).
    public func computing<T>(_ compute: (any SubtreeHashSource) throws -> T) async throws(TiledLogCheckError) -> T {
        let recorder = SubtreeRequests()
        do {
            _ = try compute(recorder)
        } catch {
            throw .invalid("the computation failed before reading any tile: \(error)")
        }
        var tiles: [LogTile: [MerkleHash]] = [:]
        var located: [SubtreeRequests.Subtree: (LogTile, Range<Int>)] = [:]
        for subtree in recorder.asked {
            guard let (tile, hashes) = tile(holding: subtree.level, index: subtree.index) else {
                throw .invalid("the subtree at height \(subtree.level), index \(subtree.index) is not complete in a tree of \(size)")
            }
            located[subtree] = (tile, hashes)
            if tiles[tile] == nil { tiles[tile] = try tile.hashes(from: try await source.hashTile(tile)) }
        }
        let fetched = FetchedSubtrees(tiles: tiles, located: located)
        do {
            return try compute(fetched)
        } catch {
            throw .invalid("the computation read a subtree it had not asked for: \(error)")
        }
    }
}

/// Records the subtrees a computation reads, answering each with a placeholder hash.
private final class SubtreeRequests: SubtreeHashSource {
    struct Subtree: Hashable {
        let level: Int
        let index: UInt64
    }

    private(set) var asked: [Subtree] = []
    private var seen: Set<Subtree> = []

    func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
        let subtree = Subtree(level: level, index: index)
        if seen.insert(subtree).inserted { asked.append(subtree) }
        return MerkleTree.emptyRoot
    }
}

/// The subtrees a computation asked for, from the tiles fetched for them.
private struct FetchedSubtrees: SubtreeHashSource {
    struct NotFetched: Error, CustomStringConvertible {
        let level: Int
        let index: UInt64
        var description: String { "height \(level), index \(index)" }
    }

    let tiles: [LogTile: [MerkleHash]]
    let located: [SubtreeRequests.Subtree: (LogTile, Range<Int>)]

    func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
        guard let (tile, range) = located[SubtreeRequests.Subtree(level: level, index: index)], let hashes = tiles[tile] else {
            throw NotFetched(level: level, index: index)
        }
        return MerkleTree.root(leaves: Array(hashes[range]))
    }
}
