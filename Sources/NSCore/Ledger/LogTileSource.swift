/// Where a client of a tiled log reads its tiles (c2sp.org/tlog-tiles): ns-node over HTTP, a
/// mirror, or memory in tests. A source only fetches; what it returns is checked by the caller
/// (``TiledTree``, ``TiledLogAudit``), so a source never needs to be trusted.
public protocol LogTileSource: Sendable {
    /// The bytes served for the hash tile (`tile/<L>/<N>[.p/<W>]`).
    func hashTile(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8]
    /// The bytes served for the entry bundle of the level-0 tile (`tile/entries/<N>[.p/<W>]`).
    func entryBundle(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8]
}

/// Why a check against a tiled log did not conclude, in the two kinds a monitor must tell apart.
public enum TiledLogCheckError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A resource could not be read (the log is down, or answers an error): nothing was learnt
    /// about the log, so a monitor says UNKNOWN.
    case unreadable(path: String, reason: String)
    /// What the log served does not verify (a tile of the wrong length, an entry that does not
    /// hash to its leaf, hashes that do not lead to the signed root): evidence against the log.
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalid(let detail): detail
        }
    }
}

extension LogTile {
    /// The tile's hashes from the bytes served for it: exactly `width` hashes of 32 bytes.
    public func hashes(from bytes: [UInt8]) throws(TiledLogCheckError) -> [MerkleHash] {
        guard bytes.count == width * 32 else {
            throw .invalid("\(path) is \(bytes.count) bytes, not the \(width * 32) of \(width) hashes")
        }
        return (0..<width).map { MerkleHash(Array(bytes[$0 * 32..<($0 + 1) * 32])) }
    }

    /// The entries of the bundle served for this level-0 tile: exactly `width` entries, each its
    /// big-endian 16-bit length then its bytes, and nothing after them.
    public func entries(from bytes: [UInt8]) throws(TiledLogCheckError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        entries.reserveCapacity(width)
        var offset = 0
        while offset < bytes.count {
            guard entries.count < width else { throw .invalid("\(entriesPath) holds more than its \(width) entries") }
            guard offset + 2 <= bytes.count else { throw .invalid("\(entriesPath) ends inside the length of entry \(entries.count)") }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else { throw .invalid("\(entriesPath) ends inside entry \(entries.count)") }
            entries.append(Array(bytes[offset + 2..<offset + 2 + length]))
            offset += 2 + length
        }
        guard entries.count == width else { throw .invalid("\(entriesPath) holds \(entries.count) entries, not \(width)") }
        return entries
    }
}
