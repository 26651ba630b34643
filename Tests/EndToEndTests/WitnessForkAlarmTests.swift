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
        _ = try await WitnessCosigningTests.checkpoint(honestDriver, size: 5, cosignedBy: [Self.witnessName], verifiers: [verifier])
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

        // The witness kept its promise: it still holds the honest tree of size 5 and logged the fork too.
        #expect(witness.child.stdoutLines.compactMap(LogLine.parse).contains { line in
            line["level"] as? String == "warning" && (line["message"] as? String)?.contains("inconsistent with the one cosigned before") == true
        },
                "\(witness.child.stdoutLines.suffix(5))")
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
