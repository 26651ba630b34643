import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore
import NSLedger
import NSNodes
import NSTestSupport

/// Ledger benchmark, per engine (SQLite and PostgreSQL in one run by default): committed
/// transactions per second through `POST /blocks/produce` for blocks of 100, 1,000 and 5,000
/// transactions (durable commits), inclusion-proof latency at 1,000,000 leaves over HTTP, and
/// appends on top of that large ledger; then, for the tiled log (issue 29), appends with a tile
/// follower beside appends without, tile requests per second under wrk, and the witness's
/// cosignatures per second; then tables with the engines side by side and the issues' targets.
/// Run the release build:
///
///     swift build -c release --product nsd && swift build -c release --product ledger-bench && .build/release/ledger-bench
///     .build/release/ledger-bench --parts tiles,tile-requests,witness --proof-leaves 0 --tile-leaves 1000000
///
/// Options: `--engines sqlite,postgres`, `--block-sizes 100,1000,5000`, `--proof-leaves N` (0
/// skips the proof part), `--parts appends,proof,tiles,tile-requests,witness` (default all),
/// `--tile-leaves N` (the tile requests' own ledger when the proof part does not run, default
/// 1,000,000) and `--witness-requests N` (default 2,000). See bench/README.md.
@main
enum LedgerBench {
    static func main() async throws {
        let options: BenchOptions
        do {
            options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("ledger-bench: \(error)\n".utf8))
            exit(64)
        }
        print("ledger benchmark (nsd \(NeuroSwarmVersion.current), \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        var engines: [any LedgerEngine] = []
        var figures: [EngineFigures] = []
        var witness: WitnessFigures?
        let parts = options.parts
        do {
            if parts != [.witness] {
                for kind in options.engines {
                    let engine = try await kind.start()
                    print("\(engine.name): \(engine.detail)")
                    engines.append(engine)
                    figures.append(EngineFigures(engine: engine.name))
                }
            }
            // Engine after engine for each measurement, so a drift of the machine's speed between
            // measurements touches both engines' figures alike.
            for size in parts.contains(.appends) ? options.blockSizes : [] {
                for (index, engine) in engines.enumerated() {
                    figures[index].appends.append(try await appendThroughput(engine, size: size))
                }
            }
            // The tile requests read the proof part's million-leaf ledger when it runs.
            let tilesOnProofLedger = options.runsProof && parts.contains(.tileRequests)
            if options.runsProof {
                for (index, engine) in engines.enumerated() {
                    let measured = try await proofLatency(engine, leaves: options.proofLeaves, tileRequests: tilesOnProofLedger)
                    figures[index].proof = measured.proof
                    if let tiles = measured.tiles { (figures[index].tileRequests, figures[index].tileLeaves) = (tiles, options.proofLeaves) }
                }
            }
            if parts.contains(.tiles) {
                for (index, engine) in engines.enumerated() {
                    figures[index].tiled = try await tiledAppends(engine, poll: options.followerPoll)
                }
            }
            if parts.contains(.tileRequests) && !tilesOnProofLedger {
                for (index, engine) in engines.enumerated() {
                    figures[index].tileRequests = try await tileRequests(engine, leaves: options.tileLeaves)
                    figures[index].tileLeaves = options.tileLeaves
                }
            }
            if parts.contains(.witness) {
                witness = try await witnessThroughput(requests: options.witnessRequests)
            }
        } catch {
            for engine in engines { await engine.stop() }
            throw error
        }
        for engine in engines { await engine.stop() }
        if parts.contains(.appends) || options.runsProof {
            print("")
            print(BenchReport(figures: figures, proofLeaves: options.runsProof ? options.proofLeaves : 0).text)
        }
        let tlog = TlogReport(figures: figures, witness: witness).text
        if !tlog.isEmpty {
            print("")
            print(tlog)
        }
    }

    static let timeBase: Int64 = 1_765_079_700_000
    static let checkpointKey = LedgerKey(generatingNamed: LedgerSettings.defaultOrigin)
    static let producer = LedgerKey(generatingNamed: "vp-node")
    static let validators = [Validator(name: "vp-node", publicKey: producer.publicKey)]

    /// What nsd and the in-process stores share, so a ledger filled in-process is nsd's chain.
    static var storeSettings: LedgerStoreSettings {
        LedgerStoreSettings(origin: checkpointKey.name, checkpointKey: checkpointKey, genesisValidators: validators)
    }

    static var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning", "INTERNAL_TOKEN": token, "NS_SIGNING_KEY": checkpointKey.exportSeed(),
         "VALIDATOR_PUBLIC_KEYS": "vp-node=\(producer.publicKey.base64)"]
    }

    static let token = DaemonSettings.randomHex(byteCount: 32)

    static func transactions(_ count: Int, from start: Int) -> [LedgerTransaction] {
        (start..<start + count).map { index in
            let text = "benchmark artifact \(index)"
            let bytes = Array(text.utf8)
            // Built from valid parts; a failure is a bug in the benchmark.
            return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(bytes).hex, artifactSize: Int64(bytes.count), submitter: "bench",
                                               jobID: "job_\(index)", metadata: ["n": .int(Int64(index))], preview: text, timeMs: timeBase)
        }
    }

    /// Starts `nsd run --role ns` from the same build folder on a free port, on `ledger`.
    static func startNode(_ ledger: FreshLedger) async throws -> (ChildProcess, Int) {
        try await startNSD(role: "ns", dataDirectory: ledger.folder, environment: environment.merging(ledger.environment) { $1 })
    }

    /// Starts `nsd run --role role` from the same build folder on a free port, with exactly
    /// `environment`, and waits until it answers `/health`.
    static func startNSD(role: String, dataDirectory: String, environment: [String: String]) async throws -> (ChildProcess, Int) {
        let port = try Tools.freePort()
        let nsd = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/nsd"
        let child = try ChildProcess(executable: nsd, arguments: ["run", "--role", role, "--port", String(port), "--data-dir", dataDirectory],
                                     environment: environment)
        do {
            try await waitForHealth(child, port: port)
            return (child, port)
        } catch {
            child.signal(SIGTERM)
            _ = await child.waitForExit(timeout: .seconds(10))
            throw error
        }
    }

    /// Waits up to 30 s for nsd at `port` to answer `GET /health` with 200.
    static func waitForHealth(_ child: ChildProcess, port: Int) async throws {
        for _ in 0..<600 {
            // Not answering yet (connection refused) is what the loop waits out.
            if let reply = try? await get("http://127.0.0.1:\(port)/health"), reply.status == 200 { return }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("nsd did not answer /health on port \(port); its stderr: \(child.stderr)")
    }

    static func stopNode(_ node: ChildProcess) async {
        node.signal(SIGTERM)
        _ = await node.waitForExit(timeout: .seconds(30))
    }

    static func get(_ url: String) async throws -> (status: Int, body: ByteBuffer) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return (Int(response.status.code), try await response.body.collect(upTo: 1 << 24))
    }

    /// Posts a block; anything but 201 throws with ns-node's problem details, so a refusal says why.
    static func produce(_ url: String, body: [UInt8]) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let reply = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 201 else {
            throw BenchError("block refused with HTTP \(response.status.code): \(String(buffer: reply))")
        }
    }

    /// Signed block bodies for `blocks` blocks of `size` transactions, chained from `tip` (by
    /// default genesis), whose log's right edge is `frontier`; the first new tx is number `firstTx`.
    static func chain(blocks: Int, size: Int, after tip: BlockHeader = Genesis.header(validators: validators),
                      frontier: CompactRange = CompactRange(), firstTx: Int = 0) -> [[UInt8]] {
        continuedChain(blocks: blocks, size: size, after: tip, frontier: frontier, firstTx: firstTx).bodies
    }

    /// `chain`, with the last block's header and the log's right edge after it, to chain more
    /// blocks later without holding them all in memory now.
    static func continuedChain(blocks: Int, size: Int, after tip: BlockHeader, frontier: CompactRange, firstTx: Int)
        -> (bodies: [[UInt8]], tip: BlockHeader, frontier: CompactRange) {
        var tip = tip
        var frontier = frontier
        var bodies: [[UInt8]] = []
        for block in 0..<blocks {
            let txs = transactions(size, from: firstTx + block * size)
            let header = BlockBuilder.header(after: tip, frontier: frontier, txs: txs, timeMs: timeBase + Int64(block), key: producer)
            for tx in txs { frontier.append(tx.leafHash) }
            tip = header
            bodies.append(CanonicalJSON.encode(["header": header.json, "txs": .array(txs.map(\.value))]))
        }
        return (bodies, tip, frontier)
    }

    /// Posts `bodies` one after the other to nsd at `port` and times them.
    static func postBlocks(_ bodies: ArraySlice<[UInt8]>, port: Int, size: Int) async throws -> AppendFigure {
        let url = "http://127.0.0.1:\(port)/blocks/produce"
        let start = ContinuousClock.now
        for body in bodies { try await produce(url, body: body) }
        return AppendFigure(size: size, blocks: bodies.count, seconds: (ContinuousClock.now - start) / .seconds(1))
    }

    /// One engine's append throughput for blocks of `size` on a fresh ledger: about 200,000
    /// transactions (at least 10 blocks) after 2 warm-up blocks.
    static func appendThroughput(_ engine: any LedgerEngine, size: Int) async throws -> AppendFigure {
        let blocks = max(10, 200_000 / size)
        let bodies = chain(blocks: blocks + 2, size: size)
        return try await serving(try await engine.freshLedger(label: "append"), of: engine) { _, port in
            _ = try await postBlocks(bodies.prefix(2), port: port, size: size)
            let figure = try await postBlocks(bodies.dropFirst(2), port: port, size: size)
            print("\(engine.name), POST /blocks/produce, blocks of \(size): \(figure.line)")
            return figure
        }
    }

    /// Runs `body` with nsd serving `ledger` (the process and its port); then stops nsd and, when
    /// `body` succeeded, deletes the ledger (a failed one is kept to look at).
    static func serving<T>(_ ledger: FreshLedger, of engine: any LedgerEngine, _ body: (ChildProcess, Int) async throws -> T) async throws -> T {
        let (node, port) = try await startNode(ledger)
        do {
            let result = try await body(node, port)
            await stopNode(node)
            try await engine.remove(ledger)
            return result
        } catch {
            await stopNode(node)
            throw error
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
