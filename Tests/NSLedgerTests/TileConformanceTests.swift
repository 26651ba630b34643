import NSCore
import NSLedger
import Testing

/// Every engine's tiles (c2sp.org/tlog-tiles) are the hashes the Merkle tree rules give
/// (``InMemorySubtrees``) and its entry bundles the committed transactions, read from what appends
/// store anyway; a tile the log does not hold yet is nil.
@Suite("tiles from the store equal the in-memory tree's")
struct TileConformanceTests {
    /// One full level-1 tile (65,536 leaves) and then some: 257 full level-0 tiles and a partial
    /// one of 44, a full and a partial (1) level-1 tile, a partial (1) level-2 tile. Uneven blocks,
    /// so block boundaries fall inside tiles.
    static let blockSizes = [1, 300, 9_999, 10_000, 10_000, 10_000, 10_000, 10_000, 5_236, 13, 97, 190]

    func filled(_ engine: LedgerEngine) async throws -> (LedgerUnderTest, [LedgerTransaction]) {
        let ledger = try await engine.make(maxBlockTxs: 10_000)
        let txs = LedgerFixture.txs(Self.blockSizes.reduce(0, +))
        var start = 0
        for size in Self.blockSizes {
            _ = try await ledger.store.append(try await ledger.fixture.proposal(ledger.store, Array(txs[start..<start + size])))
            start += size
        }
        return (ledger, txs)
    }

    @Test("every full and partial tile of every level, the entry bundles, narrower partial tiles, and after a restart", arguments: LedgerEngine.allCases)
    func tiles(engine: LedgerEngine) async throws {
        let (ledger, txs) = try await filled(engine)
        let size = UInt64(txs.count)
        let memory = InMemorySubtrees(leaves: txs.map(\.leafHash))
        let tiles = (0...2).map { LogTile.tiles(level: $0, logSize: size) }
        #expect(tiles.map(\.count) == [258, 2, 1])
        #expect(tiles.map { $0.last?.width } == [44, 1, 1])
        #expect(tiles[1].first?.isFull == true)
        #expect(LogTile.tiles(level: 3, logSize: size).isEmpty)

        for tile in tiles.joined() {
            let expected = try Self.expected(tile, memory)
            #expect(try await ledger.reader.tileHashes(tile) == expected, "\(tile)")
        }
        for tile in tiles[0] {
            let range = try #require(tile.nodes)
            #expect(try await ledger.reader.tileEntries(tile) == txs[Int(range.lowerBound)..<Int(range.upperBound)].map(\.canonical), "\(tile)")
        }
        // A partial tile of a smaller tree stays served once the tile grew (a checkpoint of that size named it).
        for tile in [LogTile(level: 0, index: 3, width: 1), LogTile(level: 0, index: 257, width: 13), LogTile(level: 1, index: 0, width: 255)] {
            let narrow = try #require(tile)
            #expect(try await ledger.reader.tileHashes(narrow) == (try Self.expected(narrow, memory)), "\(narrow)")
        }
        #expect(try await ledger.reader.tileEntries(try #require(LogTile(level: 0, index: 257, width: 2))) == txs[65_792..<65_794].map(\.canonical))

        // A restarted node reads the same tiles: nothing was built in memory.
        let reopened = try await ledger.reopen()
        let top = try #require(tiles[2].first)
        #expect(try await reopened.reader.tileHashes(top) == (try Self.expected(top, memory)))
        #expect(try await reopened.reader.tileEntries(try #require(tiles[0].last))?.count == 44)
        await ledger.stop()
    }

    @Test("a tile or bundle beyond the tree is nil, whatever its level and index; entries above level 0 are refused",
          arguments: LedgerEngine.allCases)
    func beyondTheTree(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        _ = try await ledger.store.append(try await ledger.fixture.proposal(ledger.store, LedgerFixture.txs(300)))
        let held = try #require(LogTile(level: 0, index: 1, width: 44))
        #expect(try await ledger.reader.tileHashes(held)?.count == 44)
        #expect(try await ledger.reader.tileHashes(try #require(LogTile(level: 1, index: 0, width: 1)))?.count == 1)
        for tile in [LogTile(level: 0, index: 1), LogTile(level: 0, index: 1, width: 45), LogTile(level: 0, index: 2, width: 1),
                     LogTile(level: 1, index: 0, width: 2), LogTile(level: 2, index: 0, width: 1), LogTile(level: 0, index: .max),
                     LogTile(level: 63, index: 0, width: 1)] {
            let beyond = try #require(tile)
            #expect(try await ledger.reader.tileHashes(beyond) == nil, "\(beyond)")
            if beyond.level == 0 { #expect(try await ledger.reader.tileEntries(beyond) == nil, "\(beyond)") }
        }
        await #expect(throws: LedgerError.outOfRange("entry bundles exist for level-0 tiles only, not tile/1/000.p/1")) {
            _ = try await ledger.reader.tileEntries(try #require(LogTile(level: 1, index: 0, width: 1)))
        }
        await ledger.stop()
    }

    @Test("a tile whose rows are missing though the log holds it is a storage failure, not a tile beyond the tree",
          arguments: LedgerEngine.allCases)
    func missingRows(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        _ = try await ledger.store.append(try await ledger.fixture.proposal(ledger.store, LedgerFixture.txs(300)))
        try await ledger.tamper("DELETE FROM tree_nodes WHERE level = 8 AND idx = 0")
        await #expect(throws: LedgerError.storage("tile/1/000.p/1 has 0 of its 1 stored rows though the log holds it")) {
            _ = try await ledger.reader.tileHashes(try #require(LogTile(level: 1, index: 0, width: 1)))
        }
        await ledger.stop()
    }

    /// The hashes tree level 8·L holds at the tile's nodes, from the leaves in memory.
    static func expected(_ tile: LogTile, _ memory: InMemorySubtrees) throws -> [MerkleHash] {
        let range = try #require(tile.nodes)
        return try (range.lowerBound..<range.upperBound).map { try memory.subtreeHash(level: tile.treeLevel, index: UInt64($0)) }
    }
}
