import Foundation

/// The tiled log's and the witness's figures (issue 29), a Markdown table to paste into
/// bench/README.md: a column per engine for appends with and without a tile follower and for
/// tile requests; then the witness's table; then the append target, met or not, per engine.
struct TlogReport {
    let figures: [EngineFigures]
    let witness: WitnessFigures?

    static let tiledTarget = 0.90

    var text: String {
        var lines: [String] = []
        let measured = figures.filter { $0.tiled != nil || $0.tileRequests != nil }
        if !measured.isEmpty {
            lines += ["| tiled log | " + measured.map(\.engine).joined(separator: " | ") + " |",
                      "|---|" + String(repeating: "---:|", count: measured.count)]
            func row(_ label: String, _ cell: (EngineFigures) -> String?) {
                lines.append("| \(label) | " + measured.map { cell($0) ?? "–" }.joined(separator: " | ") + " |")
            }
            if let shape = measured.compactMap(\.tiled).first {
                let rounds = "\(shape.rounds.count / 2) rounds of \(shape.blocksPerRound) blocks"
                row("append, blocks of 1,000, tiles off (mean of \(rounds))") { $0.tiled.map { BenchReport.grouped($0.offTxPerSecond) + " tx/s" } }
                row("append, blocks of 1,000, tiles on: a follower GETs every new tile and bundle (mean of \(rounds))") {
                    $0.tiled.map { BenchReport.grouped($0.onTxPerSecond) + " tx/s" }
                }
                row("on / off (target ≥ \(String(format: "%.2f", Self.tiledTarget)))") { $0.tiled.map { String(format: "**%.2f**", $0.ratio) } }
                row("rounds in order, tx/s") { $0.tiled?.roundsCell }
                row("CPU per block, off / on: nsd; the bench (client, follower)") { engine in
                    engine.tiled.map { tiled in
                        func ms(_ on: Bool, _ cpu: (TiledAppendFigures.Round) -> Double?) -> String {
                            tiled.cpuPerBlock(on: on, cpu).map { String(format: "%.1f", $0) } ?? "?"
                        }
                        return "\(ms(false, \.nsdCPU)) / \(ms(true, \.nsdCPU)) ms; \(ms(false, \.benchCPU)) / \(ms(true, \.benchCPU)) ms"
                    }
                }
                row("fetched by the follower in the \"on\" rounds") {
                    $0.tiled.map { "\(BenchReport.grouped(Double($0.follower.hashTiles))) hash tiles, \(BenchReport.grouped(Double($0.follower.entryBundles))) bundles" }
                }
            }
            if let leaves = measured.compactMap(\.tileLeaves).first {
                for kind in TileRequestKind.allCases {
                    row("\(kind.label), wrk -t2 -c64 10 s, at \(BenchReport.grouped(Double(leaves))) leaves: req/s, p50 / p99") { engine in
                        engine.tileRequests?.first { $0.kind == kind }?.cell
                    }
                }
            }
        }
        if let witness {
            if !lines.isEmpty { lines.append("") }
            lines += ["| witness (`nsd run --role witness`, SQLite, synchronous=FULL) | cosignatures/s | latency p50 / p90 / p99 |",
                      "|---|---:|---:|",
                      "| one log, \(BenchReport.grouped(Double(witness.sequential))) add-checkpoints of +\(witness.step) leaves, each after the last answer | "
                          + "\(BenchReport.grouped(witness.sequentialPerSecond)) | \(witness.latency.cell) |",
                      "| \(witness.logs) logs in parallel, one sequential client each, \(BenchReport.grouped(Double(witness.concurrent))) in all | "
                          + "\(BenchReport.grouped(witness.concurrentPerSecond)) | – |"]
        }
        let targets = figures.compactMap { engine in
            engine.tiled.map { tiled in
                String(format: "target: %@ appends with the tile follower at least %.2f × without: %.2f (%@ against %@ tx/s): %@", engine.engine, Self.tiledTarget,
                       tiled.ratio, BenchReport.grouped(tiled.onTxPerSecond), BenchReport.grouped(tiled.offTxPerSecond), tiled.ratio >= Self.tiledTarget ? "met" : "NOT MET")
            }
        }
        if !targets.isEmpty { lines += [""] + targets }
        return lines.joined(separator: "\n")
    }
}
