import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NSCore
import NSLedger
import NSNodes
import NSTestSupport

/// Ledger benchmark: committed transactions per second through `POST /blocks/produce` for
/// blocks of 100, 1,000 and 5,000 transactions (durable: synchronous=FULL), inclusion-proof
/// latency at 1,000,000 leaves over HTTP, and appends on top of that large ledger. Run the release build:
///
///     swift build -c release --product nsd && swift build -c release --product ledger-bench && .build/release/ledger-bench
@main
enum LedgerBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        let leaves = value("--proof-leaves").flatMap(Int.init) ?? 1_000_000
        let sizes = value("--block-sizes").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [100, 1_000, 5_000]
        print("ledger benchmark (nsd \(NeuroSwarmVersion.current), \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        try await appendThroughput(sizes: sizes)
        if leaves > 0 { try await proofLatency(leaves: leaves) }
    }

    static let timeBase: Int64 = 1_765_079_700_000
    static let checkpointKey = LedgerKey(generatingNamed: LedgerSettings.defaultOrigin)
    static let producer = LedgerKey(generatingNamed: "vp-node")

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

    /// Starts `nsd run --role ns` from the same build folder on a free port.
    static func startNode(dataDirectory: String) async throws -> (ChildProcess, Int) {
        let port = try Tools.freePort()
        let nsd = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/nsd"
        let child = try ChildProcess(executable: nsd, arguments: ["run", "--role", "ns", "--port", String(port), "--data-dir", dataDirectory],
                                     environment: environment)
        for _ in 0..<600 {
            if let reply = try? await get("http://127.0.0.1:\(port)/health"), reply.status == 200 { return (child, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcessError.timedOut(stdout: child.stdout, stderr: child.stderr)
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
    static func chain(blocks: Int, size: Int, after tip: BlockHeader = Genesis.header(validators: [Validator(name: "vp-node", publicKey: producer.publicKey)]),
                      frontier: CompactRange = CompactRange(), firstTx: Int = 0) -> [[UInt8]] {
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
        return bodies
    }

    /// Options: `--block-sizes 100,1000,5000` and `--proof-leaves N` (0 skips the proof part).
    static func appendThroughput(sizes: [Int]) async throws {
        print("\nPOST /blocks/produce, one producer, sequential, durable commits")
        print("block size | blocks | txs     | seconds | tx/s     | ms/block")
        for size in sizes {
            let blocks = max(10, 200_000 / size)
            let folder = try Tools.temporaryDirectory("bench-append")
            let bodies = chain(blocks: blocks + 2, size: size)
            let (node, port) = try await startNode(dataDirectory: folder)
            let url = "http://127.0.0.1:\(port)/blocks/produce"
            for body in bodies.prefix(2) { try await produce(url, body: body) }
            let start = ContinuousClock.now
            for body in bodies.dropFirst(2) {
                try await produce(url, body: body)
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            let txs = blocks * size
            print(String(format: "%10d | %6d | %7d | %7.2f | %8.0f | %8.2f", size, blocks, txs, seconds, Double(txs) / seconds, seconds * 1000 / Double(blocks)))
            node.signal(SIGTERM)
            _ = await node.waitForExit(timeout: .seconds(30))
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
