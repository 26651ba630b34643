import NSCore
import Testing

/// Tile coordinates and paths as c2sp.org/tlog-tiles defines them.
@Suite("log tiles: coordinates and paths")
struct LogTileTests {
    @Test("indexes are 3-digit groups, all but the last prefixed by x; partial tiles end in .p/W", arguments: [
        (0, UInt64(0), 256, "tile/0/000"), (0, 5, 256, "tile/0/005"), (1, 1_000, 256, "tile/1/x001/000"),
        (2, 1_234_067, 256, "tile/2/x001/x234/067"), (0, 1_234_067, 8, "tile/0/x001/x234/067.p/8"), (63, 999, 255, "tile/63/999.p/255"),
    ])
    func paths(level: Int, index: UInt64, width: Int, path: String) throws {
        let tile = try #require(LogTile(level: level, index: index, width: width))
        #expect(tile.path == path)
        #expect(try LogTilePath.parse(path.split(separator: "/").dropFirst().map { $0 }) == .hashes(tile))
        let level0 = try #require(LogTile(level: 0, index: index, width: width))
        let entries = level0.entriesPath
        #expect(entries == "tile/entries/" + path.split(separator: "/").dropFirst(2).joined(separator: "/"))
        #expect(try LogTilePath.parse(entries.split(separator: "/").dropFirst().map { $0 }) == .entries(level0))
    }

    @Test("only the one spelling of each tile parses; each refusal says what is wrong", arguments: [
        ("0/11", "the index element \"11\" is not 3 digits"), ("0/x000/011", "the index is not in its one spelling (tile/0/011)"),
        ("0/001/002", "the index element \"001\" is not 3 digits"), ("64/000", "the level \"64\" is not a number from 0 to 63"),
        ("00/000", "the level \"00\""), ("-1/000", "the level \"-1\""), ("0/000.p/256", "the partial width \"256\""),
        ("0/000.p/0", "the partial width \"0\""), ("0/000.p/08", "the partial width \"08\""), ("entries", "the path names no tile index"),
        ("0", "the path names no tile index"), ("0/x999/x999/x999/x999/x999/x999/999", "the index is larger than any log's"),
        ("entries/x001/x002", "the index element \"x002\" is not 3 digits"), ("0/000.p", "the index element \"000.p\""),
    ])
    func refusals(path: String, reason: String) {
        #expect {
            _ = try LogTilePath.parse(path.split(separator: "/", omittingEmptySubsequences: false).map { $0 })
        } throws: { error in
            (error as? LogTilePath.Malformed)?.reason.hasPrefix(reason) == true
        }
    }

    @Test("a tree of 70,000 leaves has the tiles the specification lists; 256 leaves are a full tile and a level-1 tile of 1")
    func tilesOfATree() {
        let tiles = (0...3).map { LogTile.tiles(level: $0, logSize: 70_000) }
        #expect(tiles.map(\.count) == [274, 2, 1, 0])
        #expect(tiles[0].dropLast().allSatisfy(\.isFull) && tiles[0].last?.width == 112 && tiles[0].last?.index == 273)
        #expect(tiles[1].first?.isFull == true && tiles[1].last?.width == 17)
        #expect(tiles[2].first?.width == 1)
        #expect(LogTile.tiles(level: 0, logSize: 256).map(\.path) == ["tile/0/000"])
        #expect(LogTile.tiles(level: 1, logSize: 256).map(\.path) == ["tile/1/000.p/1"])
        #expect(LogTile.tiles(level: 0, logSize: 0).isEmpty)
    }

    @Test("a tile's nodes and the smallest log holding it; nil beyond 63-bit sizes")
    func coverage() throws {
        let partial = try #require(LogTile(level: 1, index: 2, width: 17))
        #expect(partial.treeLevel == 8 && partial.nodes == 512..<529)
        #expect(partial.minimumLogSize == 529 * 256)
        #expect(try #require(LogTile(level: 7, index: 0, width: 127)).minimumLogSize == 127 << 56)
        #expect(try #require(LogTile(level: 7, index: 0, width: 128)).minimumLogSize == nil)
        #expect(try #require(LogTile(level: 0, index: .max)).nodes == nil)
        #expect(LogTile(level: 64, index: 0) == nil && LogTile(level: 0, index: 0, width: 0) == nil && LogTile(level: 0, index: 0, width: 257) == nil)
    }
}
