import NSCore
import NSNodeClient

/// ns-node's tiled log over HTTP (`/tlog/`), as the monitor reads it. Anything but a 200 is
/// ``TiledLogCheckError/unreadable(path:reason:)``: a tile that cannot be read tells nothing
/// about the log, whereas one that is read is checked by the caller.
struct NodeTileSource: LogTileSource {
    let node: NodeEndpoint

    static let prefix = "/tlog/"

    /// The most a hash tile holds: 256 hashes of 32 bytes.
    static let maxHashTileBytes = LogTile.fullWidth * 32
    /// The most an entry bundle holds: 256 entries of at most 65,535 bytes, each after its 2-byte length.
    static let maxEntryBundleBytes = LogTile.fullWidth * (2 + LedgerTransaction.maxBytes)

    func hashTile(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        try await fetch(Self.prefix + tile.path, maxBytes: Self.maxHashTileBytes)
    }

    func entryBundle(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        try await fetch(Self.prefix + tile.entriesPath, maxBytes: Self.maxEntryBundleBytes)
    }

    /// The body of a 200 answer to GET `path`, read only up to `maxBytes`: a node answering more
    /// than the resource can hold is refused without the rest being read.
    func fetch(_ path: String, maxBytes: Int) async throws(TiledLogCheckError) -> [UInt8] {
        let reply: NodeReply
        do {
            reply = try await node.get(path, maxBodyBytes: maxBytes)
        } catch {
            throw .unreadable(path: path, reason: (error as? CommandFailure)?.message ?? "\(error)")
        }
        guard reply.status == 200 else {
            throw .unreadable(path: path, reason: "\(node.name) answered \(reply.problem.summary)")
        }
        return reply.body
    }
}
