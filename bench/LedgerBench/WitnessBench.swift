import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore
import NSTestSupport

/// The witness's cosignatures per second: one log's requests one after another, then eight logs
/// each with a sequential client, in parallel.
struct WitnessFigures: Sendable {
    let step: Int
    let sequential: Int
    let sequentialSeconds: Double
    let latency: Latency
    let logs: Int
    let concurrent: Int
    let concurrentSeconds: Double

    var sequentialPerSecond: Double { Double(sequential) / sequentialSeconds }
    var concurrentPerSecond: Double { Double(concurrent) / concurrentSeconds }
}

extension LedgerBench {
    static let witnessStep = 16
    static let witnessLogs = 8
    static let witnessName = "bench.test/witness"

    /// Starts `nsd run --role witness` from the same build folder on a fresh data folder, its key
    /// and name generated here, witnessing one log for the sequential part and eight for the
    /// concurrent one; the key reaches nsd through its environment only. Then (a) `requests`
    /// add-checkpoints for one log, each sent when the one before is answered, timed one by one,
    /// and (b) `requests / 2` for each of eight logs, one sequential client per log, in parallel.
    /// Every answer must be 200 and a cosignature that NSCore's verifier accepts.
    static func witnessThroughput(requests: Int) async throws -> WitnessFigures {
        print("witness: building \(requests) + \(witnessLogs) × \(requests / 2) add-checkpoint requests (steps of \(witnessStep) leaves)...")
        let sequentialLog = WitnessLog(origin: "bench.test/log0", requests: requests, step: witnessStep)
        let logs = (1...witnessLogs).map { WitnessLog(origin: "bench.test/log\($0)", requests: requests / 2, step: witnessStep) }
        let witnessKey = LedgerKey(generatingNamed: "witness")
        let verifier = CosignatureVerifier(name: witnessName, publicKey: witnessKey.publicKey)
        let folder = try Tools.temporaryDirectory("bench-witness")
        let environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning", "WITNESS_SIGNING_KEY": witnessKey.exportSeed(), "WITNESS_NAME": witnessName,
                           "WITNESS_LOGS": ([sequentialLog] + logs).map { "\($0.origin)=\($0.key.publicKey.base64)" }.joined(separator: ",")]
        let (node, port) = try await startNSD(role: "witness", dataDirectory: folder, environment: environment)
        do {
            let url = "http://127.0.0.1:\(port)/add-checkpoint"
            let start = ContinuousClock.now
            let (answers, samples) = try await send(sequentialLog, to: url)
            let sequentialSeconds = (ContinuousClock.now - start) / .seconds(1)
            try verify(answers, of: sequentialLog, with: verifier)
            let latency = Latency(samples)
            print(String(format: "witness, one log, sequential: %d cosignatures in %.2f s = %.0f/s, latency %@", requests, sequentialSeconds,
                         Double(requests) / sequentialSeconds, latency.line))

            let concurrentStart = ContinuousClock.now
            let all = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for (index, log) in logs.enumerated() {
                    group.addTask { (index, try await send(log, to: url).answers) }
                }
                return try await group.reduce(into: [Int: [String]]()) { $0[$1.0] = $1.1 }
            }
            let concurrentSeconds = (ContinuousClock.now - concurrentStart) / .seconds(1)
            for (index, log) in logs.enumerated() { try verify(all[index] ?? [], of: log, with: verifier) }
            let concurrent = logs.count * (requests / 2)
            print(String(format: "witness, %d logs in parallel: %d cosignatures in %.2f s = %.0f/s", logs.count, concurrent, concurrentSeconds,
                         Double(concurrent) / concurrentSeconds))
            await stopNode(node)
            try FileManager.default.removeItem(atPath: folder)
            return WitnessFigures(step: witnessStep, sequential: requests, sequentialSeconds: sequentialSeconds, latency: latency, logs: logs.count,
                                  concurrent: concurrent, concurrentSeconds: concurrentSeconds)
        } catch {
            await stopNode(node)
            throw error
        }
    }

    /// Posts `log`'s requests one after another; the answers (cosignature lines) and each request's time.
    private static func send(_ log: WitnessLog, to url: String) async throws -> (answers: [String], samples: [Duration]) {
        var answers: [String] = []
        var samples: [Duration] = []
        answers.reserveCapacity(log.requests.count)
        samples.reserveCapacity(log.requests.count)
        for request in log.requests {
            var post = HTTPClientRequest(url: url)
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "text/plain")
            post.body = .bytes(ByteBuffer(bytes: request.encoded))
            let start = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(post, timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            samples.append(ContinuousClock.now - start)
            guard response.status.code == 200 else {
                throw BenchError("the witness answered HTTP \(response.status.code) to \(log.origin) at old size \(request.oldSize): \(body)")
            }
            answers.append(body)
        }
        return (answers, samples)
    }

    /// Every answer must cosign its request's checkpoint under the witness's key.
    private static func verify(_ answers: [String], of log: WitnessLog, with verifier: CosignatureVerifier) throws {
        guard answers.count == log.requests.count else { throw BenchError("\(log.origin): \(answers.count) answers to \(log.requests.count) requests") }
        for (request, answer) in zip(log.requests, answers) {
            do {
                _ = try verifier.verifiedTimestamp(in: request.note + answer)
            } catch {
                throw BenchError("\(log.origin): the cosignature of size \(request.oldSize + UInt64(witnessStep)) does not verify: \(error); answer: \(answer)")
            }
        }
    }
}
