import AsyncHTTPClient
import Foundation
import NSTestSupport

/// One kind of `/tlog` resource under wrk's load.
struct TileRequestFigure: Sendable {
    let kind: TileRequestKind
    let requests: Int
    let seconds: Double
    let p50Ms, p99Ms: Double

    var perSecond: Double { Double(requests) / seconds }
    var line: String { String(format: "%@ requests in %.1f s = %@/s, p50 %.2f ms, p99 %.2f ms", BenchReport.grouped(Double(requests)), seconds,
                              BenchReport.grouped(perSecond), p50Ms, p99Ms) }
    var cell: String { "\(BenchReport.grouped(perSecond))/s, " + String(format: "%.2f / %.2f ms", p50Ms, p99Ms) }
}

/// What wrk asks for, and the `Cache-Control` docs/ledger.md promises for it.
enum TileRequestKind: String, CaseIterable, Sendable {
    case tiles, bundles
    /// Entry bundles for a client that accepts gzip, compressed on each request.
    case bundlesGzip = "bundles-gzip"
    case checkpoint

    var label: String {
        switch self {
        case .tiles: "GET /tlog/tile/0/<N>, random full level-0 tiles"
        case .bundles: "GET /tlog/tile/entries/<N>, random full entry bundles"
        case .bundlesGzip: "GET /tlog/tile/entries/<N> with Accept-Encoding: gzip"
        case .checkpoint: "GET /tlog/checkpoint"
        }
    }

    /// A request of the kind, for the one-request check before the load.
    var samplePath: String {
        switch self {
        case .checkpoint: "/tlog/checkpoint"
        case .tiles: "/tlog/tile/0/000"
        case .bundles, .bundlesGzip: "/tlog/tile/entries/000"
        }
    }

    var cacheControl: String { self == .checkpoint ? "public, max-age=5" : "public, max-age=31536000, immutable" }
}

extension LedgerBench {
    /// The wrk script, beside this target's folder (not compiled into it).
    static let tileScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TlogBench/tiles.lua").path

    /// With nsd serving a ledger of `leaves` at `port`: first one request per kind, which must be
    /// 200 with exactly the documented `Cache-Control`; then wrk (2 threads, 64 connections, 10 s)
    /// per kind, rotating over random full tiles or bundles. Any error or non-2xx answer fails.
    static func tileRequests(_ engine: any LedgerEngine, port: Int, leaves: Int) async throws -> [TileRequestFigure] {
        let wrk = try Tools.which("wrk")
        guard FileManager.default.fileExists(atPath: tileScript) else { throw BenchError("the wrk script \(tileScript) is missing") }
        for kind in TileRequestKind.allCases {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(kind.samplePath)"), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 24)
            let caching = response.headers["Cache-Control"]
            guard response.status.code == 200, caching == [kind.cacheControl] else {
                throw BenchError("\(engine.name): GET \(kind.samplePath) answered HTTP \(response.status.code) with Cache-Control \(caching), "
                    + "not 200 with \"\(kind.cacheControl)\"")
            }
        }
        var figures: [TileRequestFigure] = []
        for kind in TileRequestKind.allCases {
            let result = try Tools.run(wrk, ["-t2", "-c64", "-d10s", "--latency", "-s", tileScript, "http://127.0.0.1:\(port)",
                                             "--", kind.rawValue, String(leaves / 256)])
            guard result.status == 0, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("tlog-result ") }) else {
                throw BenchError("wrk failed (exit \(result.status)): \(result.output)")
            }
            let fields = line.split(separator: " ").dropFirst().map(String.init)
            guard fields.count == 5, let requests = Int(fields[0]), let seconds = Double(fields[1]), let p50 = Double(fields[2]),
                  let p99 = Double(fields[3]), let errors = Int(fields[4])
            else { throw BenchError("cannot read wrk's result line: \(line)") }
            guard errors == 0 else { throw BenchError("\(engine.name): wrk saw \(errors) errors or non-2xx answers for \(kind.label): \(result.output)") }
            let figure = TileRequestFigure(kind: kind, requests: requests, seconds: seconds, p50Ms: p50 / 1000, p99Ms: p99 / 1000)
            print("\(engine.name), \(kind.label) at \(BenchReport.grouped(Double(leaves))) leaves: \(figure.line)")
            figures.append(figure)
        }
        return figures
    }

    /// The tile requests on a ledger of their own: filled in-process with `leaves`, then served by nsd.
    static func tileRequests(_ engine: any LedgerEngine, leaves: Int) async throws -> [TileRequestFigure] {
        let ledger = try await engine.freshLedger(label: "tilereq")
        print("\(engine.name): filling a ledger with \(leaves) leaves for the tile requests (in-process, blocks of 5000)...")
        try await engine.withStore(ledger) { try await fill($0, leaves: leaves) }
        return try await serving(ledger, of: engine) { _, port in try await tileRequests(engine, port: port, leaves: leaves) }
    }
}
