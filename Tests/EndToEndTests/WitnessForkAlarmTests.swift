import Foundation
import NSCore
import NSTestSupport
import Testing

/// What ns-node does when its witness holds a tree this log does not extend: a second ledger
/// signed with the same key (a restored-too-old or forked ns-node) is refused by the real witness,
/// and ns-node raises the fork alarm at error, for both ways a witness says so: a 409 naming the
/// very size sent (another root at that size) and a 422 (the proof does not lead from the tree the
/// witness cosigned). Nothing the witness refused is served as cosigned.
@Suite("ns-node raises the fork alarm when its witness holds another tree")
struct WitnessForkAlarmTests {
    static let witnessName = "witness.test/fork"

    @Test("a forked ledger under the same key: the same-size 409 and the 422 are logged as fork alarms at error and counted; no cosignature is served")
    func forkAlarm() async throws {
        let logKey = LedgerKey(generatingNamed: LedgerSettings.defaultOrigin)
        let witnessKey = LedgerKey(generatingNamed: "w")
        let witness = try await NSDInstance(roles: ["witness"], environment: [
            "WITNESS_SIGNING_KEY": witnessKey.exportSeed(), "WITNESS_NAME": Self.witnessName,
            "WITNESS_LOGS": "\(LedgerSettings.defaultOrigin)=\(logKey.publicKey.base64)",
        ], arguments: ["--witness-port", "0"])
        let vkey = try WitnessCosigningTests.vkey(witness)
        let verifier = try require(CosignatureVerifier(vkey: vkey), "the witness's vkey")
        let environment = ["NS_SIGNING_KEY": logKey.exportSeed(), "WITNESSES": "\(Self.witnessName)@\(witness.url("witness-node", ""))=\(vkey)"]

        // The honest ledger: 5 entries, cosigned.
        let honest = try await NSDInstance(roles: ["ns"], environment: environment)
        let honestDriver = try LedgerDriver(honest)
        #expect(try await honestDriver.produce(LedgerDriver.txs(5)).status == 201)
        let honestNote = try await WitnessCosigningTests.checkpoint(honestDriver, size: 5, cosignedBy: [Self.witnessName], verifiers: [verifier])
        #expect(await honest.stop() == 0)

        // A fork under the same key: 5 other entries, then 3 more.
        let forked = try await NSDInstance(roles: ["ns"], environment: environment)
        let forkedDriver = try LedgerDriver(forked)
        #expect(try await forkedDriver.produce(LedgerDriver.txs(5, from: 100)).status == 201)
        let sameSize = try await Self.alarm(forked, containing: "another tree of size 5")
        #expect(sameSize["witness"] as? String == Self.witnessName)
        #expect((sameSize["message"] as? String)?.contains("fork alarm") == true)
        #expect(try await forkedDriver.produce(LedgerDriver.txs(3, from: 105)).status == 201)
        let inconsistent = try await Self.alarm(forked, containing: "does not extend the tree it cosigned")
        #expect((inconsistent["reason"] as? String)?.isEmpty == false, "the witness's words: \(inconsistent)")

        let metrics = try await Fetched.get(forkedDriver.url("/metrics")).body
        let witnessLabel = "witness=\"\(Self.witnessName)\""
        #expect(WitnessCosigningTests.series(metrics, "ns_witness_requests_total", [witnessLabel, "outcome=\"conflict\""]) ?? 0 >= 2, "\(metrics)")
        #expect(WitnessCosigningTests.series(metrics, "ns_witness_requests_total", [witnessLabel, "outcome=\"inconsistent\""]) ?? 0 >= 1)
        #expect(WitnessCosigningTests.series(metrics, "ns_witness_requests_total", [witnessLabel, "outcome=\"cosigned\""]) == nil)
        let served = try await Fetched.get(forkedDriver.url("/tlog/checkpoint")).body
        #expect(served.split(separator: "\n").filter { $0.hasPrefix("— ") }.count == 1, "only the log's own signature: \(served)")
        #expect(throws: CosignatureError.self) { try verifier.verifiedTimestamp(in: served) }
        #expect(await forked.stop() == 0)

        // The witness kept its promise: it still holds the honest tree of size 5, and it logged the
        // second root for size 5 as evidence (the note's body and the log's signature, nothing more).
        let witnessLines = witness.child.stdoutLines.compactMap(LogLine.parse).filter { $0["level"] as? String == "warning" }
        let evidence = try require(witnessLines.first { ($0["message"] as? String)?.contains("evidence of a fork") == true }, "the witness's evidence line")
        let evidenceNote = try require(evidence["note"] as? String, "the evidence's note")
        let forkedCheckpoint = try Checkpoint.verify(note: evidenceNote, name: LedgerSettings.defaultOrigin, publicKey: logKey.publicKey)
        let honestCheckpoint = try Checkpoint.verify(note: honestNote, name: LedgerSettings.defaultOrigin, publicKey: logKey.publicKey)
        #expect(forkedCheckpoint.size == 5 && forkedCheckpoint.root != honestCheckpoint.root, "the second root for size 5: \(evidence)")
        #expect(evidenceNote.split(separator: "\n").count == 4, "the body and the log's signature only: \(evidenceNote)")
        #expect(witnessLines.contains { ($0["message"] as? String)?.contains("proof that does not lead from the tree cosigned before") == true })

        // Anyone can pair a real checkpoint with a wrong proof and pad the note: a 422, logged in a short line.
        let padding = (0..<1_000).map { _ in "— padding.example \(Base64.encode(SecureRandom.bytes(24)))\n" }.joined()
        let before = witness.child.stdoutLines.count
        let padded = try await Fetched.post(witness.url("witness-node", "/add-checkpoint"),
                                            body: AddCheckpointRequest(oldSize: 5, proof: [MerkleHash.sha256([1])], note: honestNote + padding).encoded,
                                            contentType: "text/plain")
        #expect(padded.status == 422, "\(padded.body)")
        var logged = witness.child.stdoutLines.dropFirst(before)
        for _ in 0..<50 where !logged.contains(where: { $0.contains("\"status\":422") }) {  // the request line comes last
            try await Task.sleep(for: .milliseconds(100))
            logged = witness.child.stdoutLines.dropFirst(before)
        }
        #expect(logged.contains { $0.contains("proof that does not lead from the tree cosigned before") }, "\(logged)")
        #expect(!logged.isEmpty && logged.allSatisfy { $0.count < 1_000 && !$0.contains("padding.example") }, "\(logged)")
        #expect(await witness.stop() == 0)
    }

    /// Waits for ns-node's error-level line about the witness whose message contains `text`.
    static func alarm(_ nsd: NSDInstance, containing text: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let line = nsd.child.stdoutLines.compactMap(LogLine.parse).first(where: { line in
                line["level"] as? String == "error" && (line["message"] as? String)?.contains(text) == true
            }) {
                return line
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try require(nil, "an error line containing \"\(text)\" within 30 s (last lines: \(nsd.child.stdoutLines.suffix(8)))")
    }
}
