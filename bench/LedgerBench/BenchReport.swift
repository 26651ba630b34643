import Foundation

/// One append measurement: `blocks` blocks of `size` transactions in `seconds`.
struct AppendFigure: Sendable {
    let size: Int
    let blocks: Int
    let seconds: Double

    var txPerSecond: Double { Double(size * blocks) / seconds }
    var msPerBlock: Double { seconds * 1000 / Double(blocks) }
    var line: String { String(format: "%d blocks, %d txs in %.2f s = %.0f tx/s, %.2f ms per block", blocks, size * blocks, seconds, txPerSecond, msPerBlock) }
    var cell: String { "\(BenchReport.grouped(txPerSecond)) tx/s, " + String(format: "%.1f ms/block", msPerBlock) }
}

/// Percentiles of timed calls, in milliseconds.
struct Latency: Sendable {
    let p50, p90, p99: Double
    let samples: Int

    init(_ samples: [Duration]) {
        let sorted = samples.sorted()
        func ms(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] / .microseconds(1) / 1000 }
        (p50, p90, p99, self.samples) = (ms(0.5), ms(0.9), ms(0.99), sorted.count)
    }

    var line: String { String(format: "at %d samples: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms", samples, p50, p90, p99) }
    var cell: String { String(format: "%.3f / %.3f / %.3f ms", p50, p90, p99) }
}

struct ProofFigures: Sendable {
    let leaves: Int
    let fillSeconds: Double
    let library: Latency
    let http: Latency
    let onTop: AppendFigure
}

struct EngineFigures: Sendable {
    let engine: String
    var appends: [AppendFigure] = []
    var proof: ProofFigures?
    var tiled: TiledAppendFigures?
    var tileRequests: [TileRequestFigure]?
    /// The size of the ledger the tile requests read.
    var tileLeaves: Int?
}

/// The run's table, a Markdown table to paste into bench/README.md: one column per engine, and
/// with both engines the PostgreSQL/SQLite ratio (of tx/s, where more is better; of the time or
/// the median latency, where less is better);
/// then the issue's two targets, each met or not met.
struct BenchReport {
    let figures: [EngineFigures]
    let proofLeaves: Int

    static let appendTarget = 0.5
    static let proofTargetMs = 2.0

    var text: String {
        let sqlite = figures.first { $0.engine == SQLiteEngine.name }
        let postgres = figures.first { $0.engine == PostgresEngine.name }
        let both = sqlite != nil && postgres != nil
        var lines = ["| measurement | " + figures.map(\.engine).joined(separator: " | ") + (both ? " | PostgreSQL / SQLite |" : " |"),
                     "|---|" + String(repeating: "---:|", count: figures.count + (both ? 1 : 0))]
        func row(_ label: String, _ cell: (EngineFigures) -> String?, ratio: (EngineFigures) -> Double?) {
            let cells = figures.map { cell($0) ?? "–" }
            var text = "| \(label) | " + cells.joined(separator: " | ") + " |"
            if both, let sqlite, let postgres {
                let value = ratio(postgres).flatMap { p in ratio(sqlite).map { p / $0 } }
                text += value.map { String(format: " %.2f |", $0) } ?? " – |"
            }
            lines.append(text)
        }
        for size in figures.flatMap({ $0.appends.map(\.size) }).uniqued() {
            func figure(_ engine: EngineFigures) -> AppendFigure? { engine.appends.first { $0.size == size } }
            let blocks = figure(figures[0]).map { ", \(Self.grouped(Double($0.blocks))) blocks" } ?? ""
            row("append, blocks of \(Self.grouped(Double(size)))\(blocks)", { figure($0)?.cell }, ratio: { figure($0)?.txPerSecond })
        }
        if proofLeaves > 0 {
            let leaves = Self.grouped(Double(proofLeaves))
            row("append, blocks of 1,000 on top of \(leaves) leaves, 200 blocks", { $0.proof?.onTop.cell }, ratio: { $0.proof?.onTop.txPerSecond })
            row("fill of \(leaves) leaves in-process (blocks of 5,000)", { $0.proof.map { String(format: "%.1f s", $0.fillSeconds) } },
                ratio: { $0.proof?.fillSeconds })
            row("GET /v1/proof/inclusion at \(leaves) leaves, p50 / p90 / p99", { $0.proof?.http.cell }, ratio: { $0.proof?.http.p50 })
            row("LedgerReader.inclusionProof in-process, p50 / p90 / p99", { $0.proof?.library.cell }, ratio: { $0.proof?.library.p50 })
        }
        if let postgres { lines += [""] + targets(sqlite: sqlite, postgres: postgres) }
        return lines.joined(separator: "\n")
    }

    /// The issue's targets for PostgreSQL: at least half SQLite's committed tx/s with
    /// 1,000-transaction blocks in the same run, and a median proof over HTTP under 2 ms.
    private func targets(sqlite: EngineFigures?, postgres: EngineFigures) -> [String] {
        func verdict(_ met: Bool) -> String { met ? "met" : "NOT MET" }
        var lines: [String] = []
        let appendTarget = "target: PostgreSQL at least \(Self.appendTarget) × SQLite's committed tx/s with 1,000-transaction blocks"
        if let sqlite, let mine = postgres.appends.first(where: { $0.size == 1_000 }), let theirs = sqlite.appends.first(where: { $0.size == 1_000 }) {
            let ratio = mine.txPerSecond / theirs.txPerSecond
            lines.append(String(format: "%@: %.2f (%@ against %@ tx/s): %@", appendTarget, ratio, Self.grouped(mine.txPerSecond),
                                Self.grouped(theirs.txPerSecond), verdict(ratio >= Self.appendTarget)))
        } else {
            lines.append("\(appendTarget): not measured (run both engines with 1000 in --block-sizes)")
        }
        let proofTarget = "target: PostgreSQL median inclusion proof over HTTP under \(Int(Self.proofTargetMs)) ms at 1,000,000 leaves"
        if let proof = postgres.proof {
            let scale = proof.leaves == 1_000_000 ? "" : " (measured at \(Self.grouped(Double(proof.leaves))) leaves, not 1,000,000)"
            lines.append(String(format: "%@: %.3f ms%@: %@", proofTarget, proof.http.p50, scale, verdict(proof.http.p50 < Self.proofTargetMs)))
        } else {
            lines.append("\(proofTarget): not measured (--proof-leaves 0)")
        }
        return lines
    }

    /// `47782.4` as "47,782".
    static func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
