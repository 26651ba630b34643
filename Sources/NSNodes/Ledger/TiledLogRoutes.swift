import Hummingbird
import NSCore
import NSLedger

/// The log as a C2SP tiled transparency log under `/tlog/` (c2sp.org/tlog-tiles): the signed
/// checkpoint, hash tiles and entry bundles, each a static resource any cache or mirror may hold,
/// which a client verifies against the checkpoint with no other API of ours.
struct TiledLogRoutes: Sendable {
    let reader: any LedgerReader
    /// The checkpoint with the witness cosignatures held for it.
    let checkpoint: ServedCheckpoint

    static let prefix = "/tlog"
    /// Full tiles and bundles never change.
    static let fullTileCaching = "public, max-age=31536000, immutable"
    /// A partial tile's bytes never change either, but the full tile supersedes it (and the
    /// specification lets a log drop it then), so caches keep it briefly.
    static let partialTileCaching = "public, max-age=60"
    /// The checkpoint moves with every block; the specification asks for no caching beyond a few seconds.
    static let checkpointCaching = "public, max-age=5"

    func add(to router: Router<NodeRequestContext>) {
        router.get("\(Self.prefix)/checkpoint") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: Self.checkpointCaching],
                     body: .init(byteBuffer: ByteBuffer(string: try await checkpoint.note())))
        }
        router.get("\(Self.prefix)/tile/**") { request, context in
            try await tile(context.parameters.getCatchAll(), acceptEncoding: request.headers[.acceptEncoding])
        }
    }

    private func tile(_ segments: [Substring], acceptEncoding: String?) async throws -> Response {
        let path: LogTilePath
        do {
            path = try LogTilePath.parse(segments)
        } catch {
            throw NodeError.badRequest(detail: "\(error.reason); tiles are tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles)")
        }
        var body: ByteBuffer
        let tile: LogTile
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        switch path {
        case .hashes(let hashed):
            tile = hashed
            guard let hashes = try await reader.tileHashes(hashed) else { throw Self.beyondTheTree(path) }
            body = ByteBuffer(bytes: hashes.flatMap(\.bytes))
        case .entries(let bundled):
            tile = bundled
            guard let entries = try await reader.tileEntries(bundled) else { throw Self.beyondTheTree(path) }
            body = try Self.bundle(entries, of: bundled)
            headers[.vary] = "Accept-Encoding"
            if EntryBundleEncoding.acceptsGzip(acceptEncoding), let compressed = EntryBundleEncoding.compressed(body) {
                body = compressed
                headers[.contentEncoding] = EntryBundleEncoding.gzip
            }
        }
        headers[.cacheControl] = tile.isFull ? Self.fullTileCaching : Self.partialTileCaching
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    private static func beyondTheTree(_ path: LogTilePath) -> NodeError {
        .notFound(detail: "the log does not hold \(path.path) yet: /tlog/checkpoint gives its size")
    }

    /// Each entry as its big-endian 16-bit length, then its bytes.
    static func bundle(_ entries: [[UInt8]], of tile: LogTile) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for (offset, entry) in entries.enumerated() {
            guard let length = UInt16(exactly: entry.count) else {
                let leaf = (tile.nodes?.lowerBound ?? 0) + Int64(offset)
                throw LedgerError.storage("leaf \(leaf) is \(entry.count) bytes, more than an entry bundle can hold (65,535)")
            }
            buffer.writeInteger(length, endianness: .big)
            buffer.writeBytes(entry)
        }
        return buffer
    }
}
