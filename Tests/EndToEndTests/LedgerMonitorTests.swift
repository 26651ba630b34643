import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

/// `nsctl monitor` against real ns-nodes: it records a verified checkpoint, proves each later one
/// extends it from the log's tiles, and goes CRITICAL, keeping both notes and the state as they
/// were, on a rollback, a fork (a second ledger signed with the same key that diverges) or a
/// checkpoint signed by another key.
@Suite("nsctl monitor: a transparency-log monitor for cron", .serialized)
struct LedgerMonitorTests {
    @Test("a log that grows consistently is OK and recorded, with and without --verify-tiles; unchanged is OK; ns-node down is UNKNOWN",
          .timeLimit(.minutes(3)))
    func growth() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let log = try Monitored(LedgerDriver(nsd))
        try await log.produce(LedgerDriver.txs(300))
        let first = try await log.monitor()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.hasPrefix("NEUROSWARM LEDGER OK - first run: recorded neuroswarm.local/ledger size 300 (root "), "\(first.stdout)")
        #expect(first.stdout.hasSuffix("| size=300;;;0 new=0;;;0\n"), "\(first.stdout)")
        #expect(try log.recordedSize() == 300)

        try await log.produce(LedgerDriver.txs(1_000, from: 300))
        try await log.produce(LedgerDriver.txs(5, from: 1_300))
        let grew = try await log.monitor()
        #expect(grew.status == 0, "\(grew.stdout)")
        #expect(grew.stdout.contains("OK - neuroswarm.local/ledger grew from 300 to size 1305 (root "), "\(grew.stdout)")
        #expect(grew.stdout.contains("consistent (proved from its tiles) | size=1305;;;0 new=1005;;;0"), "\(grew.stdout)")
        #expect(try log.recordedSize() == 1_305)
        // Replaced by a rename: no temporary file or backup is left beside the state.
        #expect(try FileManager.default.contentsOfDirectory(atPath: log.folder) == ["ledger-monitor.json"])

        try await log.produce(LedgerDriver.txs(200, from: 1_305))
        let verified = try await log.monitor(["--verify-tiles"])
        #expect(verified.status == 0, "\(verified.stdout)")
        // Leaves 1305 to 1504: the partial level-0 tile 5 (225) and its bundle, and the partial level-1 tile (5).
        #expect(verified.stdout.contains("grew from 1305 to size 1505 (root ") && verified.stdout.contains("2 hash tiles and 1 entry bundles re-verified"),
                "\(verified.stdout)")
        #expect(try log.recordedSize() == 1_505)

        let unchanged = try await log.monitor(["--json"])
        #expect(unchanged.status == 0, "\(unchanged.stdout)")
        let json = try #require(LogLine.parse(unchanged.stdout))
        #expect(json["finding"] as? String == "unchanged" && json["state"] as? String == "OK" && json["exitCode"] as? Int == 0, "\(json)")
        #expect((json["served"] as? [String: Any])?["size"] as? Int == 1_505 && json["evidence"] is NSNull, "\(json)")

        #expect(await nsd.stop() == 0)
        let down = try await log.monitor()
        #expect(down.status == 3, "\(down.stdout)")
        #expect(down.stdout.hasPrefix("NEUROSWARM LEDGER UNKNOWN - cannot read /tlog/checkpoint: cannot reach ns-node at "), "\(down.stdout)")
        #expect(try log.recordedSize() == 1_505)
    }

    @Test("a second ledger with the same key is CRITICAL when it rolls back, forks at the recorded size or grows inconsistently; both notes are kept, the state never advances; another key is CRITICAL",
          .timeLimit(.minutes(4)))
    func forgedFork() async throws {
        let honest = try await NSDInstance(roles: ["ns"])
        let forger = try await NSDInstance(roles: ["ns"], environment: ["NS_SIGNING_KEY": try honest.dataFile("ns-node-data/checkpoint.key")])
        let log = try Monitored(LedgerDriver(honest))
        let forged = try log.serving(LedgerDriver(forger))
        // The same first 100 transactions in both; then each its own.
        try await log.produce(LedgerDriver.txs(100))
        try await forged.produce(LedgerDriver.txs(100))
        try await log.produce(LedgerDriver.txs(300, from: 100))
        let forgerNote = try await forged.note()
        #expect(try Checkpoint.verify(note: forgerNote, name: LedgerSettingsOrigin.value, publicKey: log.key).size == 100,
                "the forger signs with the honest log's key")

        #expect(try await log.monitor().status == 0)
        let recorded = try String(contentsOfFile: log.stateFile, encoding: .utf8)
        let honestNote = try await log.note()

        let rollback = try await forged.monitor()
        #expect(rollback.status == 2, "\(rollback.stdout)")
        #expect(rollback.stdout.hasPrefix("NEUROSWARM LEDGER CRITICAL - rollback: ns-node serves size 100 (root "), "\(rollback.stdout)")
        let honestRoot = try Checkpoint.verify(note: honestNote, name: LedgerSettingsOrigin.value, publicKey: log.key).root
        #expect(rollback.stdout.contains("smaller than the recorded size 400 (root \(honestRoot.hex))"), "\(rollback.stdout)")
        let rollbackEvidence = try log.evidence("rollback")
        #expect(rollback.stdout.contains("evidence kept in \(rollbackEvidence)/ (recorded.checkpoint, served.checkpoint, finding.txt); state not advanced"),
                "\(rollback.stdout)")
        #expect(try String(contentsOfFile: rollbackEvidence + "/recorded.checkpoint", encoding: .utf8) == honestNote)
        let rolledBackNote = try await forged.note()
        #expect(try String(contentsOfFile: rollbackEvidence + "/served.checkpoint", encoding: .utf8) == rolledBackNote)
        #expect(try String(contentsOfFile: log.stateFile, encoding: .utf8) == recorded)
        // The alert repeats every run, the evidence is kept once.
        let again = try await forged.monitor()
        #expect(again.status == 2 && again.stdout.contains("evidence already kept in \(rollbackEvidence)/"), "\(again.stdout)")

        try await forged.produce(Self.forgedTxs(300, from: 100))
        let fork = try await forged.monitor(["--json"])
        #expect(fork.status == 2, "\(fork.stdout)")
        let json = try #require(LogLine.parse(fork.stdout), "\(fork.stdout)")
        #expect(json["finding"] as? String == "fork" && json["state"] as? String == "CRITICAL" && json["exitCode"] as? Int == 2, "\(json)")
        let served = try #require(json["served"] as? [String: Any])
        let mine = try #require(json["recorded"] as? [String: Any])
        #expect(served["size"] as? Int == 400 && mine["size"] as? Int == 400 && served["root"] as? String != mine["root"] as? String, "\(json)")
        let forkEvidence = try log.evidence("fork")
        #expect((json["evidence"] as? [String: Any])?["folder"] as? String == forkEvidence, "\(json)")
        #expect((json["summary"] as? String)?.hasPrefix("fork: ns-node serves size 400 (root \(served["root"] as? String ?? "")), "
                + "but the recorded checkpoint of that size is size 400 (root \(mine["root"] as? String ?? ""))") == true, "\(json)")
        #expect(try String(contentsOfFile: forkEvidence + "/recorded.checkpoint", encoding: .utf8) == honestNote)
        let forkedNote = try await forged.note()
        #expect(try String(contentsOfFile: forkEvidence + "/served.checkpoint", encoding: .utf8) == forkedNote)
        #expect(try String(contentsOfFile: log.stateFile, encoding: .utf8) == recorded)

        try await forged.produce(Self.forgedTxs(300, from: 400))
        let inconsistent = try await forged.monitor()
        #expect(inconsistent.status == 2, "\(inconsistent.stdout)")
        let inconsistentEvidence = try log.evidence("inconsistent")
        #expect(inconsistent.stdout.contains("CRITICAL - inconsistent: ns-node's size 700 (root ")
                && inconsistent.stdout.contains("does not extend the recorded size 400 (root \(honestRoot.hex))")
                && inconsistent.stdout.contains("the consistency proof from its tiles does not verify; evidence kept in \(inconsistentEvidence)/"),
                "\(inconsistent.stdout)")
        let inconsistentNote = try await forged.note()
        #expect(try String(contentsOfFile: inconsistentEvidence + "/served.checkpoint", encoding: .utf8) == inconsistentNote)
        #expect(try String(contentsOfFile: log.stateFile, encoding: .utf8) == recorded)

        // The honest log, grown, still extends what was recorded.
        try await log.produce(LedgerDriver.txs(300, from: 400))
        let honestGrowth = try await log.monitor()
        #expect(honestGrowth.status == 0 && honestGrowth.stdout.contains("grew from 400 to size 700"), "\(honestGrowth.stdout)")

        // A checkpoint signed by a key other than the pinned one.
        let stranger = LedgerKey(generatingNamed: LedgerSettingsOrigin.value).publicKey.base64
        let otherKey = try await log.monitor(["--ns-public-key", stranger])
        #expect(otherKey.status == 2, "\(otherKey.stdout)")
        #expect(otherKey.stdout.hasPrefix("NEUROSWARM LEDGER CRITICAL - bad checkpoint from \(log.driver.url(""))/tlog/checkpoint: "
                                          + "the checkpoint signature does not verify with the pinned key; evidence kept in "), "\(otherKey.stdout)")
        #expect(try log.recordedSize() == 700)
        #expect(await forger.stop() == 0)
        #expect(await honest.stop() == 0)
    }

    @Test("--verify-tiles catches an entry altered in the database that the hash tiles alone do not show; no pinned key, a corrupt state file and a missing --state-file are UNKNOWN",
          .timeLimit(.minutes(3)))
    func alteredEntry() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let log = try Monitored(LedgerDriver(nsd))
        try await log.produce(LedgerDriver.txs(300))
        let first = try await log.monitor(["--verify-tiles"])
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("first run: recorded") && first.stdout.contains("; 3 hash tiles and 2 entry bundles re-verified"), "\(first.stdout)")
        try await log.produce(LedgerDriver.txs(100, from: 300))
        let copy = log.folder + "/copy.json"
        try FileManager.default.copyItem(atPath: log.stateFile, toPath: copy)

        let database = try DatabaseQueue(path: nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db")
        try await database.write { db in
            try db.execute(sql: "UPDATE txs SET body = CAST(replace(CAST(body AS TEXT), 'artifact body number 350', 'artifact body number 351') AS BLOB) WHERE leaf_index = 350")
            #expect(db.changesCount == 1)
        }
        try database.close()
        let hashesOnly = try await log.monitor(stateFile: copy)
        #expect(hashesOnly.status == 0 && hashesOnly.stdout.contains("grew from 300 to size 400"), "\(hashesOnly.stdout)")
        let caught = try await log.monitor(["--verify-tiles"])
        #expect(caught.status == 2, "\(caught.stdout)")
        #expect(caught.stdout.contains("CRITICAL - bad tiles: the tiles of size 400 (root ")
                && caught.stdout.contains("do not verify: tile/entries/001.p/144: entry 350 does not hash to its leaf in tile/0/001.p/144; evidence kept in "),
                "\(caught.stdout)")
        #expect(try log.recordedSize() == 300)

        let unpinned = try await NSCtlRunner.run(["monitor", "--ns-url", log.driver.url(""), "--state-file", log.stateFile], directory: log.folder)
        #expect(unpinned.status == 3, "\(unpinned.stdout)")
        #expect(unpinned.stdout.hasPrefix("NEUROSWARM LEDGER UNKNOWN - no pinned ns-node key: pass --ns-public-key or set NS_PUBLIC_KEY"), "\(unpinned.stdout)")
        try Data("{\"format\":1}".utf8).write(to: URL(fileURLWithPath: copy))
        let corrupt = try await log.monitor(stateFile: copy)
        #expect(corrupt.status == 3, "\(corrupt.stdout)")
        #expect(corrupt.stdout.contains("UNKNOWN - the state file \(copy) is not a monitor state (corrupt or another file): restore it from a backup, or move it away"),
                "\(corrupt.stdout)")
        let noState = try await NSCtlRunner.run(["monitor", "--ns-url", log.driver.url("")], directory: log.folder)
        #expect(noState.status == 3 && noState.stderr.contains("--state-file"), "\(noState.stderr)")
        #expect(await nsd.stop() == 0)
    }

    /// Transactions of the same shape as ``LedgerDriver/txs(_:from:)`` but other content.
    static func forgedTxs(_ count: Int, from start: Int) -> [LedgerTransaction] {
        (start..<start + count).map { index in
            let bytes = Array("forged body \(index)\n".utf8)
            // Built from valid parts; a failure is a bug in the test itself.
            return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(bytes).hex, artifactSize: Int64(bytes.count), submitter: "e2e",
                                               jobID: "job_\(index)", preview: "forged body \(index)\n", timeMs: 1_765_079_700_000 + Int64(index))
        }
    }
}

/// A ledger the monitor watches, with the pinned key and a state file in a folder of its own.
struct Monitored {
    let driver: LedgerDriver
    let key: LedgerPublicKey
    let folder: String

    init(_ driver: LedgerDriver) throws {
        self.init(driver: driver, key: try driver.checkpointKey, folder: try Tools.temporaryDirectory("monitor"))
    }

    private init(driver: LedgerDriver, key: LedgerPublicKey, folder: String) {
        self.driver = driver
        self.key = key
        self.folder = folder
    }

    /// Another ns-node, watched with this one's key and state file.
    func serving(_ other: LedgerDriver) -> Monitored {
        Monitored(driver: other, key: key, folder: folder)
    }

    var stateFile: String { folder + "/ledger-monitor.json" }

    func produce(_ txs: [LedgerTransaction]) async throws {
        let produced = try await driver.produce(txs)
        try #require(produced.status == 201, "\(produced.body)")
    }

    func note() async throws -> String { try await Fetched.get(driver.url("/tlog/checkpoint")).body }

    func monitor(_ extra: [String] = [], stateFile: String? = nil) async throws -> NSCtlRunner.Outcome {
        try await NSCtlRunner.run(["monitor", "--ns-url", driver.url(""), "--state-file", stateFile ?? self.stateFile, "--ns-public-key", key.base64] + extra,
                                  directory: folder)
    }

    func recordedSize() throws -> Int? {
        LogLine.parse(try String(contentsOfFile: stateFile, encoding: .utf8))?["size"] as? Int
    }

    /// The one evidence folder kept for `finding`.
    func evidence(_ finding: String) throws -> String {
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("ledger-monitor.json.evidence-") && $0.hasSuffix("-" + finding) }
        try #require(kept.count == 1, "\(kept)")
        return folder + "/" + kept[0]
    }
}
