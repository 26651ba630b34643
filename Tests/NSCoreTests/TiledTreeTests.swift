import NSCore
import Synchronization
import Testing

/// Proofs, roots and re-verification computed from a log's tiles alone (``TiledTree``,
/// ``TiledLogAudit``), against tiles built here from the leaves in memory.
@Suite("the tiled tree: proofs and audits from tiles")
struct TiledTreeTests {
    static let entries: [[UInt8]] = (0..<70_000).map { Array("entry \($0)".utf8) }
    static let leaves = entries.map { MerkleTree.leafHash($0) }

    @Test("consistency proofs from tiles equal those from stored subtrees and verify, across tile and level boundaries", arguments: [
        (UInt64(1), UInt64(2)), (3, 256), (255, 257), (256, 512), (257, 3_000), (1_000, 65_536), (65_535, 70_000), (4_097, 69_999),
    ])
    func consistency(old: UInt64, new: UInt64) async throws {
        let tiles = MemoryTiles(entries: Array(Self.entries.prefix(Int(new))))
        let subtrees = InMemorySubtrees(leaves: Array(Self.leaves.prefix(Int(new))))
        let proof = try await TiledTree(size: new, source: tiles).consistencyProof(from: old)
        #expect(proof == (try MerkleTree.consistencyProof(old: old, new: new, source: subtrees)))
        let oldRoot = MerkleTree.root(leaves: Array(Self.leaves.prefix(Int(old))))
        let newRoot = MerkleTree.root(leaves: Array(Self.leaves.prefix(Int(new))))
        #expect(MerkleVerifier.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
        // Only the tiles holding the proof's subtrees are read: a few per level, not the log.
        #expect(tiles.reads.count <= 8, "\(tiles.reads)")
    }

    @Test("the tiles' tree hash is the root for sizes on and off tile boundaries", arguments: [UInt64(0), 1, 255, 256, 3_000, 65_536, 70_000])
    func root(size: UInt64) async throws {
        let tiles = MemoryTiles(entries: Array(Self.entries.prefix(Int(size))))
        #expect(try await TiledTree(size: size, source: tiles).root() == MerkleTree.root(leaves: Array(Self.leaves.prefix(Int(size)))))
    }

    @Test("an audit reads every tile holding a new leaf, and only those, and passes on the log's own tiles")
    func auditCounts() async throws {
        let tiles = MemoryTiles(entries: Array(Self.entries.prefix(3_000)))
        let checkpoint = Checkpoint(origin: "o", size: 3_000, root: MerkleTree.root(leaves: Array(Self.leaves.prefix(3_000))))
        let whole = try await TiledLogAudit(checkpoint: checkpoint, source: tiles).verify(newSince: 0)
        // 11 full and a partial (184) level-0 tiles with their bundles; the partial level-1 tile (11).
        #expect(whole.hashTiles == 13 && whole.entryBundles == 12 && whole.entries == 3_000)
        let recent = try await TiledLogAudit(checkpoint: checkpoint, source: tiles).verify(newSince: 2_900)
        #expect(recent.hashTiles == 2 && recent.entryBundles == 1 && recent.entries == 184)
    }

    @Test("an audit names the first thing that does not authenticate", arguments: [
        ("tile/entries/000", 7, "tile/entries/000: entry 0 does not hash to its leaf in tile/0/000"),
        ("tile/0/003", 40, "tile/entries/003: entry 769 does not hash to its leaf in tile/0/003"),
        ("tile/0/011.p/184", 0, "tile/entries/011.p/184: entry 2816 does not hash to its leaf in tile/0/011.p/184"),
        ("tile/1/000.p/11", 64, "tile/0/002 does not hash to hash 2 of tile/1/000.p/11"),
    ])
    func auditCatches(path: String, byte: Int, finding: String) async throws {
        let tiles = MemoryTiles(entries: Array(Self.entries.prefix(3_000))) { served, bytes in
            guard served == path else { return bytes }
            var altered = bytes
            altered[byte] ^= 1
            return altered
        }
        let checkpoint = Checkpoint(origin: "o", size: 3_000, root: MerkleTree.root(leaves: Array(Self.leaves.prefix(3_000))))
        await #expect {
            _ = try await TiledLogAudit(checkpoint: checkpoint, source: tiles).verify(newSince: 0)
        } throws: { error in
            guard case .invalid(let detail) = error as? TiledLogCheckError else { return false }
            return detail.hasPrefix(finding)
        }
    }

    @Test("tiles that are the log's own but hash to another root than the checkpoint's are refused")
    func otherRoot() async throws {
        let tiles = MemoryTiles(entries: Array(Self.entries.prefix(3_000)))
        let checkpoint = Checkpoint(origin: "o", size: 3_000, root: MerkleTree.emptyRoot)
        await #expect {
            _ = try await TiledLogAudit(checkpoint: checkpoint, source: tiles).verify(newSince: 2_999)
        } throws: { error in
            guard case .invalid(let detail) = error as? TiledLogCheckError else { return false }
            return detail.hasPrefix("the tiles of size 3000 hash to root ") && detail.hasSuffix("not the checkpoint's \(MerkleTree.emptyRoot.base64)")
        }
    }

    @Test("tiles and bundles of the wrong shape are refused, naming the resource")
    func shapes() throws {
        let tile = try #require(LogTile(level: 0, index: 0, width: 1))
        #expect(throws: TiledLogCheckError.invalid("tile/0/000.p/1 is 31 bytes, not the 32 of 1 hashes")) {
            try tile.hashes(from: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: TiledLogCheckError.invalid("tile/entries/000.p/1 holds more than its 1 entries")) { try tile.entries(from: [0, 1, 7, 0, 0]) }
        #expect(throws: TiledLogCheckError.invalid("tile/entries/000.p/1 ends inside entry 0")) { try tile.entries(from: [0, 2, 7]) }
        #expect(throws: TiledLogCheckError.invalid("tile/entries/000.p/1 ends inside the length of entry 0")) { try tile.entries(from: [0]) }
        #expect(throws: TiledLogCheckError.invalid("tile/entries/000.p/1 holds 0 entries, not 1")) { try tile.entries(from: []) }
        #expect(try tile.entries(from: [0, 2, 7, 8]) == [[7, 8]])
    }
}

/// A log's tiles served from memory, built from its entries as c2sp.org/tlog-tiles lays them
/// out; `alter` changes what is served for a path, as a lying log would.
final class MemoryTiles: LogTileSource {
    let entries: [[UInt8]]
    let leaves: [MerkleHash]
    let alter: @Sendable (String, [UInt8]) -> [UInt8]
    private let read = Mutex<[String]>([])

    /// The hash tiles served so far, in order.
    var reads: [String] { read.withLock { $0 } }

    init(entries: [[UInt8]], alter: @escaping @Sendable (String, [UInt8]) -> [UInt8] = { $1 }) {
        self.entries = entries
        leaves = entries.map { MerkleTree.leafHash($0) }
        self.alter = alter
    }

    func hashTile(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        read.withLock { $0.append(tile.path) }
        guard let nodes = tile.nodes, (UInt64(nodes.upperBound) << UInt64(tile.treeLevel)) <= UInt64(entries.count) else {
            throw .unreadable(path: tile.path, reason: "HTTP 404")
        }
        let subtrees = InMemorySubtrees(leaves: leaves)
        var bytes: [UInt8] = []
        for node in nodes {
            // Every node of `nodes` is complete in the tree: checked above.
            bytes += try! subtrees.subtreeHash(level: tile.treeLevel, index: UInt64(node)).bytes
        }
        return alter(tile.path, bytes)
    }

    func entryBundle(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        guard tile.level == 0, let nodes = tile.nodes, nodes.upperBound <= Int64(entries.count) else {
            throw .unreadable(path: tile.entriesPath, reason: "HTTP 404")
        }
        var bytes: [UInt8] = []
        for node in nodes {
            let entry = entries[Int(node)]
            bytes += [UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)] + entry
        }
        return alter(tile.entriesPath, bytes)
    }
}
