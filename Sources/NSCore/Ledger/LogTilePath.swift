/// A resource path under a tiled log's prefix (c2sp.org/tlog-tiles), parsed strictly: only the
/// one spelling the specification gives each tile is accepted, so every tile has one URL and
/// caches never hold two copies.
public enum LogTilePath: Equatable, Sendable {
    /// `tile/<L>/<N>[.p/<W>]`: the hashes of a tile.
    case hashes(LogTile)
    /// `tile/entries/<N>[.p/<W>]`: the entries of the level-0 tile with that index and width.
    case entries(LogTile)

    /// Why a path names no tile, for a 400 answer.
    public struct Malformed: Error, Equatable, Sendable {
        public let reason: String
    }

    /// Parses the segments after `tile/`, e.g. `["0", "x001", "x234", "067.p", "8"]`.
    public static func parse(_ segments: [Substring]) throws(Malformed) -> LogTilePath {
        guard let first = segments.first else { throw Malformed(reason: "the path names no tile") }
        let isEntries = first == "entries"
        let level: Int
        if isEntries {
            level = 0
        } else {
            guard let parsed = decimal(first), parsed <= LogTile.maxLevel else {
                throw Malformed(reason: "the level \"\(first)\" is not a number from 0 to \(LogTile.maxLevel) without leading zeros")
            }
            level = Int(parsed)
        }
        let (index, width) = try indexAndWidth(segments.dropFirst())
        // The level and width were checked above.
        guard let tile = LogTile(level: level, index: index, width: width) else { throw Malformed(reason: "the path names no tile") }
        let parsed: LogTilePath = isEntries ? .entries(tile) : .hashes(tile)
        guard parsed.path == "tile/" + segments.joined(separator: "/") else {
            throw Malformed(reason: "the index is not in its one spelling (\(isEntries ? tile.entriesPath : tile.path))")
        }
        return parsed
    }

    /// The path the resource is served at, relative to the log's prefix.
    public var path: String {
        switch self {
        case .hashes(let tile): tile.path
        case .entries(let tile): tile.entriesPath
        }
    }

    /// `<N>` as 3-digit groups (all but the last `x`-prefixed), then optionally `.p/<W>`.
    private static func indexAndWidth(_ segments: ArraySlice<Substring>) throws(Malformed) -> (UInt64, Int) {
        var groups = Array(segments)
        var width = LogTile.fullWidth
        if let last = groups.last, groups.count >= 2, groups[groups.count - 2].hasSuffix(".p") {
            guard let parsed = decimal(last), (1..<UInt64(LogTile.fullWidth)).contains(parsed) else {
                throw Malformed(reason: "the partial width \"\(last)\" is not a number from 1 to 255 without leading zeros")
            }
            width = Int(parsed)
            groups.removeLast()
            groups[groups.count - 1] = groups[groups.count - 1].dropLast(2)
        }
        guard !groups.isEmpty else { throw Malformed(reason: "the path names no tile index") }
        var index: UInt64 = 0
        for (position, group) in groups.enumerated() {
            let digits = position < groups.count - 1 ? group.dropFirst(group.hasPrefix("x") ? 1 : 0) : group
            guard digits.count == 3, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  position == groups.count - 1 || group.hasPrefix("x"), let value = UInt64(digits) else {
                throw Malformed(reason: "the index element \"\(group)\" is not 3 digits (every element but the last prefixed with x)")
            }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            let (sum, carry) = scaled.addingReportingOverflow(value)
            guard !overflow, !carry else { throw Malformed(reason: "the index is larger than any log's") }
            index = sum
        }
        return (index, width)
    }

    /// A decimal number with no sign and no leading zero (other than "0" itself).
    private static func decimal(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text == "0" || !text.hasPrefix("0") else {
            return nil
        }
        return UInt64(text)
    }
}
