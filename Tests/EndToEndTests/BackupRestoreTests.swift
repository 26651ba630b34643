import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("nsctl backup and restore against real nsd processes")
struct BackupRestoreTests {
    static func nsctl(_ arguments: [String]) async throws -> NSCtlRunner.Outcome {
        try await NSCtlRunner.run(arguments)
    }

    static func backups(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tar.gz") }.sorted()
    }

    @Test("a backup taken while blocks are appended restores into a chain that verifies to at least the manifest's height")
    func backupUnderWritesRestores() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        let out = try Tools.temporaryDirectory("nsctl-backups")
        // A writer appends blocks for as long as the backup runs.
        let writer = Task { () -> Int in
            var next = 0
            var blocks = 0
            while !Task.isCancelled {
                guard let answer = try? await driver.produce(LedgerDriver.txs(50, from: next)), answer.status == 201 else { break }
                next += 50
                blocks += 1
            }
            return blocks
        }
        func tip() async throws -> Int {
            try await Fetched.get(nsd.url("ns-node", "/v1/blocks/latest")).json?["height"] as? Int ?? -1
        }
        for _ in 0..<100 where try await tip() < 3 { try await Task.sleep(for: .milliseconds(50)) }
        let heightBefore = try await tip()
        let backup = try await Self.nsctl(["backup", "ns-node-data", "--data-dir", nsd.dataDirectory, "--out", out, "--json"])
        let heightAfter = try await tip()
        writer.cancel()
        _ = await writer.value
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(heightBefore >= 3)
        #expect(heightAfter > heightBefore, "no block was appended while the backup ran")
        let files = try Self.backups(in: out)
        try #require(files.count == 1)
        let archive = out + "/" + files[0]
        #expect(files[0].range(of: #"^ns-node-data-\d{8}T\d{6}Z\.tar\.gz$"#, options: .regularExpression) != nil)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: archive)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }.isEmpty, "staging or partial files left behind")

        let listed = try await Self.nsctl(["backup", "list", "--out", out, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let manifestHeight = try #require(rows.first?["ledgerHeight"] as? Int)
        #expect(manifestHeight >= heightBefore && manifestHeight <= heightAfter)

        // Restore into a fresh data directory where nothing runs.
        let restoreDir = try Tools.temporaryDirectory("nsctl-restore")
        let restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", restoreDir, "--yes"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("chain verified to height \(manifestHeight)"), "\(restored.stdout)")
        let verified = try await Self.nsctl(["chain", "verify", "--db", restoreDir + "/ns-node-data/neuroswarm_chain.db", "--json"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect((summary["height"] as? Int ?? -1) >= manifestHeight)
        // The restored node starts and serves the restored tip.
        let restoredNode = try await NSDInstance(roles: ["ns"], dataDirectory: restoreDir)
        let tip = try await Fetched.get(restoredNode.url("ns-node", "/v1/blocks/latest")).json?["height"] as? Int
        #expect(tip == manifestHeight)
        #expect(await restoredNode.stop() == 0)
        #expect(await nsd.stop() == 0)
    }

    @Test("restore refuses while nsd runs, naming the node, and changes nothing; once stopped it keeps the old data aside")
    func restoreRefusesWhileRunning() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        #expect(try await driver.produce(LedgerDriver.txs(10)).status == 201)
        let out = try Tools.temporaryDirectory("nsctl-backups")
        let backup = try await Self.nsctl(["backup", "ns-node-data", "--data-dir", nsd.dataDirectory, "--out", out])
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = out + "/" + (try Self.backups(in: out).first ?? "missing")
        #expect(try await driver.produce(LedgerDriver.txs(10, from: 10)).status == 201)

        let refused = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", nsd.dataDirectory, "--yes"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ns-node-data is in use by a running nsd (pid \(nsd.child.pid))"), "\(refused.stderr)")
        #expect(refused.stderr.contains("ns-node"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: nsd.dataDirectory)
        #expect(!entries.contains { $0.contains("replaced") || $0.hasPrefix(".restore") }, "\(entries)")
        #expect(try await Fetched.get(nsd.url("ns-node", "/v1/blocks/latest")).json?["height"] as? Int == 2)

        #expect(await nsd.stop() == 0)
        let restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", nsd.dataDirectory, "--yes"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("chain verified to height 1"), "\(restored.stdout)")
        let aside = try #require(try FileManager.default.contentsOfDirectory(atPath: nsd.dataDirectory).first { $0.hasPrefix("ns-node-data.replaced-") })
        // The replaced data is intact: it still verifies to the later height.
        let old = try await Self.nsctl(["chain", "verify", "--db", "\(nsd.dataDirectory)/\(aside)/neuroswarm_chain.db"])
        #expect(old.stdout.contains("chain verified to height 2"), "\(old.stdout) \(old.stderr)")

        let wrongVolume = try await Self.nsctl(["restore", archive, "--volume", "admin-node-data", "--data-dir", nsd.dataDirectory, "--yes"])
        #expect(wrongVolume.status == 1)
        #expect(wrongVolume.stderr.contains("is a backup of ns-node-data, not admin-node-data"), "\(wrongVolume.stderr)")
    }

    @Test("verify passes a good backup and names the problem in a flipped byte or a changed file")
    func verifyDetectsDamage() async throws {
        let nsd = try await NSDInstance(roles: ["ns", "vp"])
        let driver = try LedgerDriver(nsd)
        #expect(try await driver.produce(LedgerDriver.txs(20)).status == 201)
        let out = try Tools.temporaryDirectory("nsctl-backups")
        let backup = try await Self.nsctl(["backup", "ns-node-data", "vp-node-data", "--data-dir", nsd.dataDirectory, "--out", out])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(await nsd.stop() == 0)
        let files = try Self.backups(in: out)
        #expect(files.count == 2)
        let archive = out + "/" + (files.first { $0.hasPrefix("ns-node-data") } ?? "missing")
        let good = try await Self.nsctl(["backup", "verify", archive])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("chain verified to height 1"))
        let vpArchive = out + "/" + (files.first { $0.hasPrefix("vp-node-data") } ?? "missing")
        #expect(try await Self.nsctl(["backup", "verify", vpArchive]).status == 0)

        // One flipped byte in the middle of the compressed stream.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let flipped = out + "/flipped.tar.gz"
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: flipped))
        let damaged = try await Self.nsctl(["backup", "verify", flipped])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.hasPrefix("nsctl: "), "\(damaged.stderr)")

        // A well-formed archive whose database differs from its manifest.
        let unpacked = try Tools.temporaryDirectory("nsctl-unpacked")
        #expect(try await Self.tar(["-xzf", archive, "-C", unpacked]) == 0)
        let db = unpacked + "/data/neuroswarm_chain.db"
        var dbBytes = try Data(contentsOf: URL(fileURLWithPath: db))
        dbBytes[dbBytes.count - 10] ^= 0xFF
        try dbBytes.write(to: URL(fileURLWithPath: db))
        let repacked = out + "/repacked.tar.gz"
        #expect(try await Self.tar(["-czf", repacked, "-C", unpacked, "manifest.json", "data"]) == 0)
        let changed = try await Self.nsctl(["backup", "verify", repacked])
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("neuroswarm_chain.db does not match its SHA-256"), "\(changed.stderr)")
    }

    static func tar(_ arguments: [String]) async throws -> Int32 {
        let child = try ChildProcess(executable: try Tools.which("tar"), arguments: arguments, environment: ["PATH": "/usr/bin:/bin"])
        return await child.waitForExit(timeout: .seconds(30)) ?? -1
    }

    @Test("prune keeps the newest per volume and one per day, deletes only with --yes")
    func pruneKeepsWhatItSays() async throws {
        let out = try Tools.temporaryDirectory("nsctl-prune")
        let stamps = ["20261118T010000Z", "20261119T010000Z", "20261119T230000Z", "20261120T120000Z", "20261121T080000Z", "20261121T090000Z"]
        for stamp in stamps {
            for volume in ["ns-node-data", "vp-node-data"] {
                FileManager.default.createFile(atPath: "\(out)/\(volume)-\(stamp).tar.gz", contents: Data("x".utf8))
            }
        }
        FileManager.default.createFile(atPath: "\(out)/notes.txt", contents: Data())
        let before = try Self.backups(in: out)

        let dryRun = try await Self.nsctl(["backup", "prune", "--keep-last", "2", "--keep-daily", "3", "--out", out])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(try Self.backups(in: out) == before, "a dry run deleted files")
        #expect(dryRun.stdout.contains("would delete ns-node-data-20261118T010000Z.tar.gz"))

        let pruned = try await Self.nsctl(["backup", "prune", "--keep-last", "2", "--keep-daily", "3", "--out", out, "--yes"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        // Newest two (21st 09:00, 21st 08:00) plus the newest of the last three days (21st, 20th, 19th 23:00).
        let kept = ["20261119T230000Z", "20261120T120000Z", "20261121T080000Z", "20261121T090000Z"]
        let expected = ["ns-node-data", "vp-node-data"].flatMap { volume in kept.map { "\(volume)-\($0).tar.gz" } }.sorted()
        #expect(try Self.backups(in: out) == expected)
        #expect(FileManager.default.fileExists(atPath: "\(out)/notes.txt"))

        let bad = try await Self.nsctl(["backup", "prune", "--keep-last", "0", "--out", out])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--keep-last must be at least 1"))
    }

    @Test("a failed backup exits 1 with one line naming the problem and leaves nothing behind")
    func failedBackupLeavesNothing() async throws {
        let dataDirectory = try Tools.temporaryDirectory("nsd-empty")
        try FileManager.default.createDirectory(atPath: dataDirectory + "/ns-node-data", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dataDirectory + "/ns-node-data/neuroswarm_chain.db", contents: Data("SQLite format 3\u{0}garbage".utf8))
        let out = try Tools.temporaryDirectory("nsctl-backups")
        let missing = try await Self.nsctl(["backup", "admin-node-data", "--data-dir", dataDirectory, "--out", out])
        #expect(missing.status == 1)
        #expect(missing.stderr == "nsctl: \(dataDirectory)/admin-node-data does not exist; pass the --data-dir nsd runs with (DATA_DIR)\n")
        let corrupt = try await Self.nsctl(["backup", "ns-node-data", "--data-dir", dataDirectory, "--out", out])
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.contains("neuroswarm_chain.db"), "\(corrupt.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty, "files left in \(out)")
        let unknown = try await Self.nsctl(["backup", "grafana-data", "--out", out])
        #expect(unknown.status == 64)
    }

    @Test("with the Redis queue vp-node-data holds nothing: backing up every volume fails before writing any archive, naming redis-data")
    func redisQueueLeavesVPNodeDataEmpty() async throws {
        let redis = try await RedisServer(appendOnlyDirectory: try Tools.temporaryDirectory("redis-queue-volumes"))  // BGSAVE writes there
        defer { Task { await redis.stop() } }
        let dataDirectory = try Tools.temporaryDirectory("nsd-redis-volumes")
        for (folder, file) in [("ns-node-data", "checkpoint.key"), ("admin-node-data", "admin.key")] {
            try FileManager.default.createDirectory(atPath: dataDirectory + "/" + folder, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dataDirectory + "/\(folder)/\(file)", contents: Data("key".utf8))
        }
        let out = try Tools.temporaryDirectory("nsctl-backups")
        let every = try await NSCtlRunner.run(["backup", "ns-node-data", "vp-node-data", "admin-node-data", "redis-data", "--data-dir", dataDirectory, "--out", out],
                                              environment: ["REDIS_URL": redis.url])
        #expect(every.status == 1)
        #expect(every.stderr == "nsctl: \(dataDirectory)/vp-node-data holds no files: with REDIS_URL set the queue is in Redis; back up redis-data instead of vp-node-data\n")
        // Before the check came first, redis-data was already written here and the ledger never backed up.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty, "files left in \(out)")
        let named = try await NSCtlRunner.run(["backup", "ns-node-data", "admin-node-data", "redis-data", "--data-dir", dataDirectory, "--out", out],
                                              environment: ["REDIS_URL": redis.url])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try Self.backups(in: out).count == 3)
    }

    @Test("redis-data is a BGSAVE snapshot holding the keys written before the backup")
    func redisBackup() async throws {
        let directory = try Tools.temporaryDirectory("redis-backup")
        let redis = try await RedisServer(appendOnlyDirectory: directory)
        defer { Task { await redis.stop() } }
        let cli = try ChildProcess(executable: try Tools.which("redis-cli"), arguments: ["-p", String(redis.port), "SET", "backup-probe", "kept"],
                                   environment: [:])
        #expect(await cli.waitForExit(timeout: .seconds(10)) == 0)
        let out = try Tools.temporaryDirectory("nsctl-backups")
        let backup = try await NSCtlRunner.run(["backup", "redis-data", "--out", out], environment: ["REDIS_URL": redis.url])
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = out + "/" + (try Self.backups(in: out).first ?? "missing")
        let verified = try await Self.nsctl(["backup", "verify", archive])
        #expect(verified.status == 0, "\(verified.stderr)")
        let unpacked = try Tools.temporaryDirectory("nsctl-unpacked")
        #expect(try await Self.tar(["-xzf", archive, "-C", unpacked]) == 0)
        let rdb = try Data(contentsOf: URL(fileURLWithPath: unpacked + "/data/dump.rdb"))
        #expect(rdb.starts(with: Data("REDIS".utf8)))
        #expect(rdb.range(of: Data("backup-probe".utf8)) != nil)

        let noRedis = try await NSCtlRunner.run(["backup", "redis-data", "--out", out])
        #expect(noRedis.status == 1)
        #expect(noRedis.stderr.contains("REDIS_URL"))
    }

    @Test("restoring redis-data refuses with 78, naming REDIS_URL, when it cannot check that Redis is stopped, and 1 while it runs")
    func redisRestoreNeedsAUsableURL() async throws {
        let dataDirectory = try Tools.temporaryDirectory("nsd-redis-restore")
        try FileManager.default.createDirectory(atPath: dataDirectory + "/redis-data", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dataDirectory + "/redis-data/dump.rdb", contents: Data("REDIS-current".utf8))
        // The refusal comes before the archive is read, so a file that is not there shows which check stopped the restore.
        let restore = ["restore", dataDirectory + "/absent.tar.gz", "--volume", "redis-data", "--data-dir", dataDirectory, "--yes"]

        for environment in [["REDIS_URL": "http://localhost:6379"], [:]] {
            let refused = try await NSCtlRunner.run(restore, environment: environment, directory: dataDirectory)
            #expect(refused.status == 78, "\(environment): \(refused.stderr)")
            #expect(refused.stderr.contains("cannot check that Redis is stopped"), "\(refused.stderr)")
            #expect(refused.stderr.contains("REDIS_URL"), "\(refused.stderr)")
        }
        let redis = try await RedisServer()
        defer { Task { await redis.stop() } }
        let running = try await NSCtlRunner.run(restore, environment: ["REDIS_URL": redis.url], directory: dataDirectory)
        #expect(running.status == 1)
        #expect(running.stderr.contains("is running; stop it before restoring redis-data"), "\(running.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dataDirectory).sorted() == ["redis-data"])
        #expect(FileManager.default.contents(atPath: dataDirectory + "/redis-data/dump.rdb") == Data("REDIS-current".utf8))
    }
}
