import Foundation
import NSCore
import NSTestSupport
import Testing

/// A real nsd hosting ns-node and the witness, the witness configured to witness that ns-node's
/// log: real checkpoints and consistency proofs from ns-node's API, cosigned over HTTP, checked by
/// the project's verifier and by an independent one in Python.
@Suite("Witness node: C2SP add-checkpoint against a real ns-node's log")
struct WitnessNodeTests {
    static let origin = LedgerSettings.defaultOrigin
    static let witnessName = "witness.test/w1"
    let logKey = LedgerKey(generatingNamed: WitnessNodeTests.origin)
    let witnessKey = LedgerKey(generatingNamed: "witness")

    var environment: [String: String] {
        ["NS_SIGNING_KEY": logKey.exportSeed(), "WITNESS_SIGNING_KEY": witnessKey.exportSeed(), "WITNESS_NAME": Self.witnessName,
         "WITNESS_LOGS": "\(Self.origin)=\(logKey.publicKey.base64),other.test/log=\(LedgerKey(generatingNamed: "o").publicKey.base64)"]
    }

    func start(dataDirectory: String? = nil) async throws -> NSDInstance {
        try await NSDInstance(roles: ["ns", "witness"], environment: environment, arguments: ["--witness-port", "0"], dataDirectory: dataDirectory)
    }

    func addCheckpoint(_ nsd: NSDInstance, old: UInt64, proof: [MerkleHash] = [], note: String) async throws -> Fetched {
        try await Fetched.post(nsd.url("witness-node", "/add-checkpoint"), body: AddCheckpointRequest(oldSize: old, proof: proof, note: note).encoded,
                               contentType: "text/plain")
    }

    /// ns-node's consistency proof and the root at `to`.
    func consistency(_ nsd: NSDInstance, from: UInt64, to: UInt64) async throws -> (proof: [MerkleHash], root: MerkleHash) {
        let json = try require(try await Fetched.get(nsd.url("ns-node", "/v1/proof/consistency?from=\(from)&to=\(to)")).json, "a consistency proof")
        return ((json["proof"] as? [String] ?? []).compactMap(MerkleHash.init(hex:)), try require(MerkleHash(hex: json["toRoot"] as? String ?? ""), "toRoot"))
    }

    /// Verifies `line` on `note` with the independent Python verifier; its timestamp, or nil.
    func pythonTimestamp(_ note: String, _ line: String, key: LedgerPublicKey) throws -> UInt64? {
        let file = try Tools.temporaryDirectory("cosigned") + "/note"
        try (note + line).write(toFile: file, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/verify_cosignature.py").path
        let result = try Tools.run(try Tools.which("python3"), [script, file, Self.witnessName, key.base64])
        return result.status == 0 ? UInt64(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    @Test("cosigns ns-node's checkpoints as the log grows; refuses stale, forked, foreign and unknown ones; keeps its state across kill -9")
    func witnessesRealLog() async throws {
        var nsd = try await start()
        let driver = try LedgerDriver(nsd)
        let verifier = try require(CosignatureVerifier(vkey: try WitnessCosigningTests.vkey(nsd)), "a vkey")
        #expect(verifier == CosignatureVerifier(name: Self.witnessName, publicKey: witnessKey.publicKey))
        #expect(!(nsd.child.stdout + nsd.child.stderr).contains(witnessKey.exportSeed()))

        // The first checkpoint: old 0, no proof.
        #expect(try await driver.produce(LedgerDriver.txs(5)).status == 201)
        let note5 = try await Fetched.get(driver.url("/v1/checkpoint")).body
        let first = try await addCheckpoint(nsd, old: 0, note: note5)
        #expect(first.status == 200, "\(first.body)")
        let before = UInt64(Date().timeIntervalSince1970)
        #expect(try verifier.verifiedTimestamp(in: note5 + first.body) <= before)
        #expect(try pythonTimestamp(note5, first.body, key: witnessKey.publicKey) == verifier.verifiedTimestamp(in: note5 + first.body))
        #expect(try pythonTimestamp(note5, first.body, key: logKey.publicKey) == nil)

        // Growth with ns-node's own consistency proof.
        #expect(try await driver.produce(LedgerDriver.txs(7, from: 5)).status == 201)
        let note12 = try await Fetched.get(driver.url("/v1/checkpoint")).body
        let grown = try await addCheckpoint(nsd, old: 5, proof: try await consistency(nsd, from: 5, to: 12).proof, note: note12)
        #expect(grown.status == 200, "\(grown.body)")
        #expect(try pythonTimestamp(note12, grown.body, key: witnessKey.publicKey) != nil)

        // A stale old size: 409 with the size it holds, as text/x.tlog.size.
        let stale = try await addCheckpoint(nsd, old: 5, proof: try await consistency(nsd, from: 5, to: 12).proof, note: note12)
        #expect(stale.status == 409)
        #expect(stale.headers["content-type"] == "text/x.tlog.size")
        #expect(stale.body == "12\n")
        // A rollback to 5 signed by the log: the old size exceeds the checkpoint's, 400.
        #expect(try await addCheckpoint(nsd, old: 12, note: note5).status == 400)
        // A fork at 20 signed by the log's key, with a proof that cannot lead to it: 422.
        #expect(try await driver.produce(LedgerDriver.txs(8, from: 12)).status == 201)
        let honest = try await consistency(nsd, from: 12, to: 20)
        let forked = Checkpoint(origin: Self.origin, size: 20, root: MerkleHash.sha256(Array("fork".utf8))).signed(with: logKey)
        let inconsistent = try await addCheckpoint(nsd, old: 12, proof: honest.proof, note: forked)
        #expect(inconsistent.status == 422)
        #expect(inconsistent.headers["content-type"] == "application/problem+json")
        // Another key under the log's name: 403; an origin it does not witness: 404.
        let impostor = LedgerKey(generatingNamed: Self.origin)
        let foreign = Checkpoint(origin: Self.origin, size: 20, root: honest.root).signed(with: impostor)
        #expect(try await addCheckpoint(nsd, old: 12, proof: honest.proof, note: foreign).status == 403)
        let unknown = Checkpoint(origin: "unknown.test/log", size: 1, root: honest.root).signed(with: LedgerKey(generatingNamed: "unknown.test/log"))
        #expect(try await addCheckpoint(nsd, old: 0, note: unknown).status == 404)
        #expect(try await Fetched.post(nsd.url("witness-node", "/add-checkpoint"), body: Array("garbage".utf8), contentType: "text/plain").status == 400)
        let oversized = try await Fetched.post(nsd.url("witness-node", "/add-checkpoint"), body: Array(repeating: 0x41, count: 70_000), contentType: "text/plain")
        #expect(oversized.status == 413)

        // Concurrent requests from 12 to different sizes of the real log: exactly one is cosigned.
        var bodies: [(size: UInt64, note: String, proof: [MerkleHash])] = []
        for size in UInt64(13)...20 {
            let step = try await consistency(nsd, from: 12, to: size)
            bodies.append((size, Checkpoint(origin: Self.origin, size: size, root: step.root).signed(with: logKey), step.proof))
        }
        let statuses = try await withThrowingTaskGroup(of: (UInt64, Int).self) { group in
            for body in bodies {
                group.addTask { [self, nsd] in (body.size, try await addCheckpoint(nsd, old: 12, proof: body.proof, note: body.note).status) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        let winners = statuses.filter { $0.value == 200 }.map(\.key)
        #expect(winners.count == 1, "\(statuses)")
        #expect(statuses.values.filter { $0 == 409 }.count == bodies.count - 1, "\(statuses)")
        let recorded = try require(winners.first, "a winner")

        // kill -9, restart on the same data folder: the witness still holds `recorded`.
        nsd.child.signal(SIGKILL)
        _ = await nsd.child.waitForExit(timeout: .seconds(10))
        nsd = try await start(dataDirectory: nsd.dataDirectory)
        let restarted = try LedgerDriver(nsd)
        let afterCrash = try await addCheckpoint(nsd, old: 12, proof: honest.proof, note: try await Fetched.get(restarted.url("/v1/checkpoint")).body)
        #expect(afterCrash.status == 409)
        #expect(afterCrash.body == "\(recorded)\n")
        #expect(try await addCheckpoint(nsd, old: recorded, note: note12).status == 400)
        #expect(try await restarted.produce(LedgerDriver.txs(8, from: 20)).status == 201)
        let note28 = try await Fetched.get(restarted.url("/v1/checkpoint")).body
        let resumed = try await addCheckpoint(nsd, old: recorded, proof: try await consistency(nsd, from: recorded, to: 28).proof, note: note28)
        #expect(resumed.status == 200, "\(resumed.body)")
        #expect(try verifier.verifiedTimestamp(in: note28 + resumed.body) >= before)

        let health = try await Fetched.get(nsd.url("witness-node", "/health"))
        #expect(health.status == 200, "\(health.body)")
        let metrics = try await Fetched.get(nsd.url("witness-node", "/metrics")).body
        // Counted since the restart: one cosignature, one stale old size, one rollback.
        for line in ["ns_witness_cosignatures_total 1", #"ns_witness_refusals_total{reason="conflict"} 1"#, #"ns_witness_refusals_total{reason="malformed"} 1"#] {
            #expect(metrics.contains(line + "\n"), "\(line)")
        }
        #expect(await nsd.stop() == 0)
    }

    @Test("a plain nsd run hosts the witness only when WITNESS_* is set, and then names a missing setting in one line")
    func configuration() async throws {
        let folder = try Tools.temporaryDirectory("witness-config")
        let child = try ChildProcess(executable: try NSDInstance.binary(),
                                     arguments: ["run", "--data-dir", folder, "--gateway-port", "0", "--ns-port", "0", "--vp-port", "0", "--admin-port", "0", "--witness-port", "0"],
                                     environment: NSDInstance.environment(["WITNESS_LOGS": "\(Self.origin)=\(logKey.publicKey.base64)",
                                                                           "WITNESS_SIGNING_KEY": witnessKey.exportSeed()]), directory: folder)
        #expect(await child.waitForExit(timeout: .seconds(20)) == 78)
        #expect(child.stderr == "nsd: configuration error: WITNESS_NAME is not set and the witness runs; set it to this witness's key name, a schema-less URL such as witness.example.com/w1\n")
        #expect(!child.stderr.contains(witnessKey.exportSeed()))
        for (variables, named) in [(["WITNESS_SIGNING_KEY": "not-a-key"], "WITNESS_SIGNING_KEY"), (["WITNESS_LOGS": "no-key-here"], "WITNESS_LOGS")] {
            var env = environment
            env.merge(variables) { $1 }
            let bad = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["run", "--role", "witness", "--data-dir", folder, "--port", "0"],
                                       environment: NSDInstance.environment(env), directory: folder)
            #expect(await bad.waitForExit(timeout: .seconds(20)) == 78)
            #expect(bad.stderr.hasPrefix("nsd: configuration error: \(named) "), "\(bad.stderr)")
            #expect(bad.stderr.split(separator: "\n").count == 1)
        }
        // Without WITNESS_*, a plain nsd run hosts the four nodes and no witness.
        let plain = try await NSDInstance(arguments: ["--witness-port", "0"])
        #expect(plain.ports["witness-node"] == nil)
        #expect(plain.ports.count == 4)
        #expect(await plain.stop() == 0)
    }
}
