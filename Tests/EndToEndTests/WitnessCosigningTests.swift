import Foundation
import NSCore
import NSTestSupport
import Testing

/// A real ns-node with `WITNESSES` naming two real witness processes: checkpoints go out with
/// both cosignatures, a witness that dies delays nothing and its cosignature is simply missing
/// (which `nsctl verify --min-witnesses` and `nsctl monitor --min-witnesses` notice), and once it
/// is back it cosigns again.
@Suite("ns-node sends its checkpoints to its witnesses and serves their cosignatures")
struct WitnessCosigningTests {
    static let origin = LedgerSettings.defaultOrigin
    let logKey = LedgerKey(generatingNamed: WitnessCosigningTests.origin)
    let witnessKeys = [LedgerKey(generatingNamed: "a"), LedgerKey(generatingNamed: "b")]
    static let names = ["witness.test/a", "witness.test/b"]

    func startWitness(_ index: Int, port: Int = 0, dataDirectory: String? = nil) async throws -> NSDInstance {
        try await NSDInstance(roles: ["witness"], environment: [
            "WITNESS_SIGNING_KEY": witnessKeys[index].exportSeed(), "WITNESS_NAME": Self.names[index],
            "WITNESS_LOGS": "\(Self.origin)=\(logKey.publicKey.base64)",
        ], arguments: ["--witness-port", String(port)], dataDirectory: dataDirectory)
    }

    /// The vkey a witness logs in its `witness ready` line.
    static func vkey(_ witness: NSDInstance) throws -> String {
        let ready = try require(witness.child.stdoutLines.compactMap(LogLine.parse).first { $0["message"] as? String == "witness ready" }, "witness ready")
        return try require(ready["verifierKey"] as? String, "verifierKey")
    }

    /// Polls `/tlog/checkpoint` until it is of `size` and cosigned by exactly `names`.
    static func checkpoint(_ driver: LedgerDriver, size: UInt64, cosignedBy names: [String], verifiers: [CosignatureVerifier],
                           timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var note = ""
        while ContinuousClock.now < deadline {
            note = try await Fetched.get(driver.url("/tlog/checkpoint")).body
            let cosigners = verifiers.filter { (try? $0.verifiedTimestamp(in: note)) != nil }.map(\.name)  // a missing line is what is being waited for
            if note.split(separator: "\n").dropFirst().first == "\(size)", cosigners == names { return note }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("no checkpoint of size \(size) cosigned by \(names) within \(timeout): \(note)")
        return note
    }

    /// The value of the first `name{...}` series whose labels include all of `labels`.
    static func series(_ metrics: String, _ name: String, _ labels: [String]) -> Double? {
        metrics.split(separator: "\n").first { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("two witnesses cosign; one down leaves its cosignature out without delaying appends; nsctl verify and nsctl monitor count them; back up, it cosigns again")
    func cosigning() async throws {
        let witnessA = try await startWitness(0)
        var witnessB = try await startWitness(1)
        let portB = try require(witnessB.ports["witness-node"], "witness b's port")
        let vkeys = [try Self.vkey(witnessA), try Self.vkey(witnessB)]
        let verifiers = try vkeys.map { try require(CosignatureVerifier(vkey: $0), "a vkey") }
        #expect(verifiers.map(\.publicKey) == witnessKeys.map(\.publicKey))
        let witnesses = "\(Self.names[0])@\(witnessA.url("witness-node", ""))=\(vkeys[0]),\(Self.names[1])@http://127.0.0.1:\(portB)=\(vkeys[1])"
        let nsd = try await NSDInstance(roles: ["ns"], environment: ["NS_SIGNING_KEY": logKey.exportSeed(), "WITNESSES": witnesses])
        let driver = try LedgerDriver(nsd)

        // Both cosign; the note still verifies as the log's checkpoint, and /v1/checkpoint serves the same lines.
        #expect(try await driver.produce(LedgerDriver.txs(5)).status == 201)
        let both = try await Self.checkpoint(driver, size: 5, cosignedBy: Self.names, verifiers: verifiers)
        #expect(try Checkpoint.verify(note: both, name: Self.origin, publicKey: logKey.publicKey).size == 5)
        #expect(both.split(separator: "\n").filter { $0.hasPrefix("— ") }.count == 3)
        #expect(try await Fetched.get(driver.url("/v1/checkpoint")).body == both)
        #expect(try await driver.produce(LedgerDriver.txs(3, from: 5)).status == 201)
        _ = try await Self.checkpoint(driver, size: 8, cosignedBy: Self.names, verifiers: verifiers)

        // nsctl monitor requiring both: OK, and the checkpoint both cosigned is recorded.
        let monitorFolder = try Tools.temporaryDirectory("witness-monitor")
        let stateFile = monitorFolder + "/ledger-monitor.json"
        let pinned = ["--witness", "\(Self.names[0])=\(vkeys[0])", "--witness", "\(Self.names[1])=\(vkeys[1])"]
        func monitor(_ extra: [String], environment: [String: String] = [:]) async throws -> NSCtlRunner.Outcome {
            try await NSCtlRunner.run(["monitor", "--ns-url", driver.url(""), "--state-file", stateFile, "--ns-public-key", logKey.publicKey.base64] + extra,
                                      environment: environment, directory: monitorFolder)
        }
        let bothCosigned = try await monitor(pinned + ["--min-witnesses", "2"])
        #expect(bothCosigned.status == 0 && bothCosigned.stdout.contains(" OK - first run: recorded \(Self.origin) size 8 "), "\(bothCosigned.stdout)")
        let recorded = try String(contentsOfFile: stateFile, encoding: .utf8)

        // b dies: appends go on at once, and the checkpoint goes out with a's cosignature alone.
        witnessB.child.signal(SIGKILL)
        _ = await witnessB.child.waitForExit(timeout: .seconds(10))
        let started = ContinuousClock.now
        #expect(try await driver.produce(LedgerDriver.txs(4, from: 8)).status == 201)
        #expect(try await driver.produce(LedgerDriver.txs(4, from: 12)).status == 201)
        #expect(ContinuousClock.now - started < .seconds(3))
        let onlyA = try await Self.checkpoint(driver, size: 16, cosignedBy: [Self.names[0]], verifiers: verifiers)
        #expect(try Checkpoint.verify(note: onlyA, name: Self.origin, publicKey: logKey.publicKey).size == 16)

        // nsctl monitor requiring both: after --witness-wait, WARNING naming b, no evidence kept (nothing was proved), the state not advanced; one is enough.
        let unwitnessed = try await monitor(pinned + ["--min-witnesses", "2", "--witness-wait", "2"])
        #expect(unwitnessed.status == 1, "\(unwitnessed.stdout)")
        #expect(unwitnessed.stdout.hasPrefix("NEUROSWARM LEDGER WARNING - too few witness cosignatures on \(driver.url(""))/tlog/checkpoint "
                                             + "(still, after 2 s): the checkpoint carries "
                                             + "1 valid cosignature of the 2 required from the pinned witnesses; missing: \(Self.names[1]); state not advanced"),
                "\(unwitnessed.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: monitorFolder).filter { $0.contains(".evidence-") }.isEmpty)
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) == recorded)
        let fromEnvironmentMonitor = try await monitor(["--witness-wait", "0"], environment: ["NS_WITNESSES": "\(Self.names[0])=\(vkeys[0]),\(Self.names[1])=\(vkeys[1])"])
        #expect(fromEnvironmentMonitor.status == 1 && fromEnvironmentMonitor.stdout.contains("missing: \(Self.names[1]);"), "\(fromEnvironmentMonitor.stdout)")
        #expect(try String(contentsOfFile: stateFile, encoding: .utf8) == recorded)
        let oneRequired = try await monitor(pinned + ["--min-witnesses", "1"])
        #expect(oneRequired.status == 0 && oneRequired.stdout.contains(" OK - \(Self.origin) grew from 8 to size 16 "), "\(oneRequired.stdout)")
        for bad in [["--witness", "\(Self.names[0])=\(vkeys[1])"], pinned + ["--min-witnesses", "3"], ["--min-witnesses", "1"]] {
            let refusedFlag = try await monitor(bad)
            #expect(refusedFlag.status == 3, "\(bad): \(refusedFlag.stdout)")
            #expect(refusedFlag.stdout.hasPrefix("NEUROSWARM LEDGER UNKNOWN - -") && refusedFlag.stdout.split(separator: "\n").count == 1, "\(refusedFlag.stdout)")
        }

        // nsctl verify of an anchored file: two required and b missing is refused naming b; one is enough.
        let folder = try Tools.temporaryDirectory("witness-verify")
        try LedgerDriver.content(3).write(toFile: folder + "/file.txt", atomically: true, encoding: .utf8)
        let base = ["verify", "file.txt", "--ns-url", driver.url(""), "--ns-public-key", logKey.publicKey.base64,
                    "--witness", "\(Self.names[0])=\(vkeys[0])", "--witness", "\(Self.names[1])=\(vkeys[1])"]
        let refused = try await NSCtlRunner.run(base + ["--min-witnesses", "2"], directory: folder)
        #expect(refused.status == 1)
        #expect(refused.stderr == "nsctl: the checkpoint carries 1 valid cosignature of the 2 required from the pinned witnesses; missing: \(Self.names[1])\n")
        let passed = try await NSCtlRunner.run(base + ["--min-witnesses", "1"], directory: folder)
        #expect(passed.status == 0, "\(passed.stderr)")
        #expect(passed.stdout.contains("cosigned by \(Self.names[0]),"), "\(passed.stdout)")
        let fromEnvironment = try await NSCtlRunner.run(Array(base.prefix(6)), environment: ["NS_WITNESSES": "\(Self.names[0])=\(vkeys[0]),\(Self.names[1])=\(vkeys[1])"],
                                                        directory: folder)
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("missing: \(Self.names[1])"), "\(fromEnvironment.stderr)")
        let badKey = try await NSCtlRunner.run(Array(base.prefix(6)) + ["--witness", "\(Self.names[0])=\(vkeys[1])"], directory: folder)
        #expect(badKey.status == 64)
        #expect(badKey.stderr.hasPrefix("nsctl: --witness \(Self.names[0])=") && badKey.stderr.split(separator: "\n").count == 1, "\(badKey.stderr)")

        // A new checkpoint while b is still down lacks its cosignature; a monitor started now waits
        // (--witness-wait) while b comes back on its port with its state and cosigns it.
        #expect(try await driver.produce(LedgerDriver.txs(4, from: 16)).status == 201)
        let beforeWait = try await Fetched.get(driver.url("/tlog/checkpoint")).body
        #expect(throws: CosignatureError.self, "b is down") { try verifiers[1].verifiedTimestamp(in: beforeWait) }
        async let waiting = monitor(pinned + ["--witness-wait", "60"])
        try await Task.sleep(for: .seconds(2))
        witnessB = try await startWitness(1, port: portB, dataDirectory: witnessB.dataDirectory)
        let witnessedAgain = try await waiting
        #expect(witnessedAgain.status == 0 && witnessedAgain.stdout.contains(" OK - \(Self.origin) grew from 16 to size 20 "), "\(witnessedAgain.stdout)")
        let again = try await Self.checkpoint(driver, size: 20, cosignedBy: Self.names, verifiers: verifiers)
        #expect(try Checkpoint.verify(note: again, name: Self.origin, publicKey: logKey.publicKey).size == 20)

        let metrics = try await Fetched.get(driver.url("/metrics")).body
        #expect(Self.series(metrics, "ns_witness_requests_total", ["witness=\"witness.test/b\"", "outcome=\"unreachable\""]) ?? 0 >= 1)
        #expect(Self.series(metrics, "ns_witness_requests_total", ["witness=\"witness.test/a\"", "outcome=\"unreachable\""]) == nil)
        for name in Self.names {
            #expect(Self.series(metrics, "ns_witness_cosigned_size", ["witness=\"\(name)\""]) == 20)
        }
        #expect(nsd.child.stdoutLines.contains { $0.contains("the witness did not cosign the checkpoint") && $0.contains("witness.test/b") })
        #expect(await nsd.stop() == 0)
        #expect(await witnessA.stop() == 0)
        #expect(await witnessB.stop() == 0)
    }
}
