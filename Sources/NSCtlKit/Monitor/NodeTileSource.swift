import NSCore
import NSNodeClient

/// ns-node's tiled log over HTTP (`/tlog/`), as the monitor reads it. Anything but a 200 is
/// ``TiledLogCheckError/unreadable(path:reason:)``: a tile that cannot be read tells nothing
/// about the log, whereas one that is read is checked by the caller.
struct NodeTileSource: LogTileSource {
    let node: NodeEndpoint

    static let prefix = "/tlog/"

    func hashTile(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        try await fetch(Self.prefix + tile.path)
    }

    func entryBundle(_ tile: LogTile) async throws(TiledLogCheckError) -> [UInt8] {
        try await fetch(Self.prefix + tile.entriesPath)
    }

    /// The body of a 200 answer to GET `path`.
    func fetch(_ path: String) async throws(TiledLogCheckError) -> [UInt8] {
        let reply: NodeReply
        do {
            reply = try await node.get(path)
        } catch {
            throw .unreadable(path: path, reason: (error as? CommandFailure)?.message ?? "\(error)")
        }
        guard reply.status == 200 else {
            throw .unreadable(path: path, reason: "\(node.name) answered \(reply.problem.summary)")
        }
        return reply.body
    }
}
