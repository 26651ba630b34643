import Foundation
import NSCore
import NSTestSupport

/// Appends with tiles read beside appends without: rounds alternate, and the follower's counts
/// show the "on" rounds did tile work.
struct TiledAppendFigures: Sendable {
    /// One round: whether the follower ran, its appends, and the CPU seconds nsd and the bench
    /// process (client and follower) used meanwhile.
    struct Round: Sendable {
        let tilesOn: Bool
        let figure: AppendFigure
        let nsdCPU, benchCPU: Double?
    }

    /// Each round, in the order run.
    let rounds: [Round]
    let follower: FollowerCounts

    private func mean(on: Bool) -> Double {
        let chosen = rounds.filter { $0.tilesOn == on }.map(\.figure.txPerSecond)
        return chosen.reduce(0, +) / Double(max(1, chosen.count))
    }

    var offTxPerSecond: Double { mean(on: false) }
    var onTxPerSecond: Double { mean(on: true) }
    /// "On" over "off": the issue asks for at least 0.90.
    var ratio: Double { onTxPerSecond / offTxPerSecond }
    var blocksPerRound: Int { rounds.first?.figure.blocks ?? 0 }

    /// Mean CPU milliseconds per block of the rounds with or without the follower, of nsd or the bench.
    func cpuPerBlock(on: Bool, _ cpu: (Round) -> Double?) -> Double? {
        let chosen = rounds.filter { $0.tilesOn == on }
        let seconds = chosen.compactMap(cpu)
        guard seconds.count == chosen.count, !chosen.isEmpty else { return nil }
        return seconds.reduce(0, +) * 1000 / Double(chosen.reduce(0) { $0 + $1.figure.blocks })
    }
    var roundsCell: String {
        rounds.map { "\($0.tilesOn ? "on" : "off") \(BenchReport.grouped($0.figure.txPerSecond))" }.joined(separator: ", ")
    }
}

extension LedgerBench {
    /// Whether the follower runs in each round: off, on, on, off, on, off, off, on. Both halves
    /// have the same mean position, so a steady drift (the machine's speed, or appends slowing as
    /// the ledger grows, which PostgreSQL's do by a tenth per round) weighs on both alike; plain
    /// alternation (off, on, off, on) would put every "on" round after its "off" one.
    static let tiledRounds = [false, true, true, false, true, false, false, true]
    static let tiledBlocksPerRound = 100

    /// On a fresh ledger served by nsd, after 2 warm-up blocks: 8 rounds of 100 blocks of 1,000
    /// transactions posted one after another, with the follower on in half of them
    /// (``tiledRounds``). In "on" rounds a ``TileFollower`` reads every new or
    /// grown tile and entry bundle over HTTP while the blocks go in, starting caught up with the
    /// log. Each round's blocks are built before it starts (untimed); nsd's and the bench's CPU
    /// time is read around each round. Throws when the follower fetched no tile or no bundle.
    static func tiledAppends(_ engine: any LedgerEngine, poll: Duration) async throws -> TiledAppendFigures {
        let size = 1_000
        let ledger = try await engine.freshLedger(label: "tiles")
        return try await serving(ledger, of: engine) { node, port in
            var next = continuedChain(blocks: 2, size: size, after: Genesis.header(validators: validators), frontier: CompactRange(), firstTx: 0)
            _ = try await postBlocks(next.bodies[...], port: port, size: size)
            var firstTx = 2 * size
            var rounds: [TiledAppendFigures.Round] = []
            var total = FollowerCounts()
            for (round, tilesOn) in tiledRounds.enumerated() {
                // The follower starts caught up with the log, as one that had followed it all along.
                let follower = TileFollower(port: port, caughtUpAt: UInt64(firstTx), poll: poll)
                next = continuedChain(blocks: tiledBlocksPerRound, size: size, after: next.tip, frontier: next.frontier, firstTx: firstTx)
                firstTx += tiledBlocksPerRound * size
                let cpuBefore = (ProcessCPU.seconds(pid: node.pid), ProcessCPU.seconds(pid: nil))
                let following: Task<FollowerCounts, any Error>? = tilesOn ? Task { try await follower.run() } : nil
                let figure: AppendFigure
                do {
                    figure = try await postBlocks(next.bodies[...], port: port, size: size)
                } catch {
                    follower.stop()
                    _ = try? await following?.value  // the append's error is the one to report
                    throw error
                }
                follower.stop()
                if let counts = try await following?.value {
                    total.add(counts)
                    print("\(engine.name), tiles on: follower fetched \(counts.line)")
                }
                let nsdCPU = ProcessCPU.seconds(pid: node.pid).flatMap { after in cpuBefore.0.map { after - $0 } }
                let benchCPU = ProcessCPU.seconds(pid: nil).flatMap { after in cpuBefore.1.map { after - $0 } }
                let cpu = String(format: "; CPU: nsd %.2f s, bench %.2f s", nsdCPU ?? .nan, benchCPU ?? .nan)
                print("\(engine.name), round \(round + 1), tiles \(tilesOn ? "on " : "off"): \(figure.line)\(cpu)")
                rounds.append(TiledAppendFigures.Round(tilesOn: tilesOn, figure: figure, nsdCPU: nsdCPU, benchCPU: benchCPU))
            }
            guard total.hashTiles > 0, total.entryBundles > 0 else {
                throw BenchError("\(engine.name): the tile follower fetched no tile or no entry bundle in the \"on\" rounds: \(total.line)")
            }
            return TiledAppendFigures(rounds: rounds, follower: total)
        }
    }
}

extension FollowerCounts {
    mutating func add(_ other: FollowerCounts) {
        polls += other.polls
        grown += other.grown
        hashTiles += other.hashTiles
        partialHashTiles += other.partialHashTiles
        entryBundles += other.entryBundles
        partialEntryBundles += other.partialEntryBundles
        bytes += other.bytes
    }
}
