import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore
import Synchronization

/// What a tile follower fetched while it ran.
struct FollowerCounts: Sendable {
    /// Checkpoint requests, and those that found the log grown.
    var polls = 0, grown = 0
    var hashTiles = 0, partialHashTiles = 0
    var entryBundles = 0, partialEntryBundles = 0
    var bytes = 0

    var line: String {
        "\(polls) checkpoint polls (\(grown) grown), \(hashTiles) hash tiles (\(partialHashTiles) partial), "
            + "\(entryBundles) entry bundles (\(partialEntryBundles) partial), \(BenchReport.grouped(Double(bytes) / 1_048_576)) MiB"
    }
}

/// A mirror of ns-node's tiled log, or `nsctl monitor --verify-tiles`, as far as the server sees
/// it: it polls `/tlog/checkpoint` and, whenever the log grew, GETs every hash tile (all levels)
/// and entry bundle that is new or grew since the size it last saw, one request after another
/// over HTTP, until ``stop()``. After each poll it waits `poll` (`--follower-poll-ms`, 10 ms by default), as
/// a polling client would rather than spin on a checkpoint it already has. It checks the
/// checkpoint's signature, not the tiles' hashes: the load on the server is the same, and the
/// client shares the two cores with it.
final class TileFollower: Sendable {
    private let base: String
    private let stopped = Atomic<Bool>(false)
    /// The log size whose tiles it already holds.
    private let start: UInt64

    /// How long it waits after each poll that found the log unchanged, and after fetching what changed.
    private let poll: Duration

    init(port: Int, caughtUpAt size: UInt64, poll: Duration) {
        base = "http://127.0.0.1:\(port)/tlog/"
        start = size
        self.poll = poll
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// Follows the log until stopped; any answer but 200, or a checkpoint that does not verify, throws.
    func run() async throws -> FollowerCounts {
        var counts = FollowerCounts()
        var seen = start
        while !stopped.load(ordering: .relaxed) {
            let note = try await fetch("checkpoint", into: &counts)
            counts.polls += 1
            let size = try Checkpoint.verify(note: String(buffer: note), name: LedgerBench.checkpointKey.name,
                                             publicKey: LedgerBench.checkpointKey.publicKey).size
            guard size > seen else {
                try await Task.sleep(for: poll)
                continue
            }
            counts.grown += 1
            for tile in Self.changedTiles(from: seen, to: size) {
                _ = try await fetch(tile.path, into: &counts)
                counts.hashTiles += 1
                counts.partialHashTiles += tile.isFull ? 0 : 1
                if tile.level == 0 {
                    _ = try await fetch(tile.entriesPath, into: &counts)
                    counts.entryBundles += 1
                    counts.partialEntryBundles += tile.isFull ? 0 : 1
                }
            }
            seen = size
            try await Task.sleep(for: poll)
        }
        return counts
    }

    /// The tiles of the tree of `size` leaves that the tree of `old` leaves did not have: at
    /// every level, the tile that grew from `old`'s right edge and the new ones after it.
    static func changedTiles(from old: UInt64, to size: UInt64) -> [LogTile] {
        var tiles: [LogTile] = []
        var level = 0
        while level * LogTile.height < 64, size >> UInt64(level * LogTile.height) > 0 {
            let nodes = size >> UInt64(level * LogTile.height)
            let oldNodes = old >> UInt64(level * LogTile.height)
            let width = UInt64(LogTile.fullWidth)
            for index in oldNodes / width..<(nodes + width - 1) / width {
                // The old right-edge tile is unchanged when this level gained no node.
                if let tile = LogTile(level: level, index: index, logSize: size), index * width + UInt64(tile.width) > oldNodes { tiles.append(tile) }
            }
            level += 1
        }
        return tiles
    }

    private func fetch(_ path: String, into counts: inout FollowerCounts) async throws -> ByteBuffer {
        let (status, body) = try await LedgerBench.get(base + path)
        guard status == 200 else {
            throw BenchError("the tile follower's GET /tlog/\(path) answered HTTP \(status): \(String(buffer: body))")
        }
        counts.bytes += body.readableBytes
        return body
    }
}
