/// A tile of the log tree as C2SP tlog-tiles defines it (c2sp.org/tlog-tiles): tiles have height
/// 8, so the tile at level `L`, index `N` and width `W` holds the hashes of tree level 8·L, nodes
/// [256·N, 256·N + W). Level 0 holds leaf hashes; each hash of a level L ≥ 1 tile is the root of a
/// full tile at level L − 1. A full tile is 256 hashes wide; a partial one (the tree's right edge)
/// 1 to 255. The entry bundle with the same index and width holds the entries whose leaf hashes
/// are the level-0 tile's.
public struct LogTile: Hashable, Sendable, CustomStringConvertible {
    /// Tree levels a tile spans.
    public static let height = 8
    /// Hashes in a full tile (2^height).
    public static let fullWidth = 256
    /// The highest level the specification allows.
    public static let maxLevel = 63

    public let level: Int
    public let index: UInt64
    public let width: Int

    /// Nil when `level` is outside 0...63 or `width` outside 1...256.
    public init?(level: Int, index: UInt64, width: Int = LogTile.fullWidth) {
        guard (0...Self.maxLevel).contains(level), (1...Self.fullWidth).contains(width) else { return nil }
        self.level = level
        self.index = index
        self.width = width
    }

    /// Whether the tile holds 256 hashes: its bytes never change, so it may be cached forever.
    public var isFull: Bool { width == Self.fullWidth }

    /// The tree level whose nodes the tile holds (0: leaves).
    public var treeLevel: Int { level * Self.height }

    /// The tile's nodes at ``treeLevel``, [256·N, 256·N + W); nil when they would not fit the
    /// 63-bit indexes a database stores (no log holds them).
    public var nodes: Range<Int64>? {
        let (start, overflow) = index.multipliedReportingOverflow(by: UInt64(Self.fullWidth))
        guard !overflow, start <= UInt64(Int64.max) - UInt64(width) else { return nil }
        return Int64(start)..<Int64(start) + Int64(width)
    }

    /// The smallest log size whose tree holds every hash of the tile, (256·N + W)·256^L leaves;
    /// nil when no 63-bit log size does.
    public var minimumLogSize: UInt64? {
        guard let nodes, treeLevel < 63 else { return nil }
        let (size, overflow) = UInt64(nodes.upperBound).multipliedReportingOverflow(by: UInt64(1) << UInt64(treeLevel))
        guard !overflow, size <= UInt64(Int64.max) else { return nil }
        return size
    }

    /// The tile at `level`, `index` as a tree of `logSize` leaves has it (full, or partial at the
    /// tree's right edge); nil when that tree has no such tile.
    public init?(level: Int, index: UInt64, logSize: UInt64) {
        guard level >= 0, level * Self.height < 64 else { return nil }
        let nodes = logSize >> UInt64(level * Self.height)
        let (first, overflow) = index.multipliedReportingOverflow(by: UInt64(Self.fullWidth))
        guard !overflow, nodes > first else { return nil }
        self.init(level: level, index: index, width: Int(min(UInt64(Self.fullWidth), nodes - first)))
    }

    /// The tiles a tree of `logSize` leaves has at `level`: its full ones, then the partial one if
    /// the level's node count is not a multiple of 256. Empty once the level has no node.
    public static func tiles(level: Int, logSize: UInt64) -> [LogTile] {
        guard level >= 0, level * height < 64 else { return [] }
        let nodes = logSize >> UInt64(level * height)
        let count = nodes / UInt64(fullWidth) + (nodes % UInt64(fullWidth) == 0 ? 0 : 1)
        return (0..<count).compactMap { LogTile(level: level, index: $0, logSize: logSize) }
    }

    /// `tile/<L>/<N>[.p/<W>]`, with N in 3-digit groups, all but the last prefixed by `x`.
    public var path: String { "tile/\(level)/\(indexPath)" }

    /// `tile/entries/<N>[.p/<W>]`: the entry bundle of a level-0 tile.
    public var entriesPath: String { "tile/entries/\(indexPath)" }

    public var description: String { path }

    /// `<N>[.p/<W>]`: 1234067 is `x001/x234/067`.
    private var indexPath: String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        let encoded = groups.dropLast().map { "x" + $0 }.joined(separator: "/") + (groups.count > 1 ? "/" : "") + groups[groups.count - 1]
        return isFull ? encoded : encoded + ".p/\(width)"
    }
}
