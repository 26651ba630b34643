import Foundation
import GRDB
import Logging
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport
import Testing

/// A ledger in a fresh database of the shared test cluster, built through ``PostgresLedgerStore``
/// as an ns-node would, and the URL nsctl is given for it.
struct PostgresLedger: Sendable {
    static let now: Int64 = 1_765_079_700_000
    let server: PostgresServer
    let name: String
    let producer: LedgerKey
    let checkpointKey: LedgerKey

    /// A fresh database on `server`, with new keys.
    init(server: PostgresServer) throws {
        self.init(server: server, name: try Self.freshDatabase(on: server), producer: LedgerKey(generatingNamed: "vp-node"),
                  checkpointKey: LedgerKey(generatingNamed: "neuroswarm.test/ledger"))
    }

    private init(server: PostgresServer, name: String, producer: LedgerKey, checkpointKey: LedgerKey) {
        self.server = server
        self.name = name
        self.producer = producer
        self.checkpointKey = checkpointKey
    }

    private static func freshDatabase(on server: PostgresServer) throws -> String {
        let name = "b_" + UInt64.random(in: 0...UInt64.max).description
        try server.createDatabase(name)
        return name
    }

    /// The same keys, on another fresh database.
    func elsewhere() throws -> PostgresLedger {
        PostgresLedger(server: server, name: try Self.freshDatabase(on: server), producer: producer, checkpointKey: checkpointKey)
    }

    var url: String { "postgres://\(server.user):\(server.password)@127.0.0.1:\(server.port)/\(name)?sslmode=disable" }

    var settings: LedgerStoreSettings {
        LedgerStoreSettings(origin: checkpointKey.name, checkpointKey: checkpointKey,
                            genesisValidators: [Validator(name: "vp-node", publicKey: producer.publicKey)])
    }

    /// Runs `body` with a database whose pools run meanwhile, named `applicationName` in `pg_stat_activity`.
    func withDatabase<T: Sendable>(applicationName: String = "ledger test", _ body: (NSPostgres.PostgresDatabase) async throws -> T) async throws -> T {
        let database = try NSPostgres.PostgresDatabase(url: try DatabaseURL(parsing: url), settings: .init(applicationName: applicationName),
                                                       logger: Logger(label: "test.postgres"))
        let pools = Task { await database.run() }
        defer { pools.cancel() }
        return try await body(database)
    }

    func withStore<T: Sendable>(_ body: (PostgresLedgerStore) async throws -> T) async throws -> T {
        try await withDatabase { database in
            try await body(try await PostgresLedgerStore.open(database: database, settings: settings, now: { Self.now }))
        }
    }

    static func tx(_ index: Int) -> LedgerTransaction {
        let content = Array("postgres backup artifact \(index)".utf8)
        // Built from valid parts; a failure here is a bug in the test itself.
        return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(content).hex, artifactSize: Int64(content.count),
                                           submitter: "alice", jobID: "job_\(index)", preview: "artifact \(index)", timeMs: now)
    }

    /// Appends one block per size, numbering transactions from `first`; returns the next number.
    @discardableResult
    func appendBlocks(_ store: PostgresLedgerStore, sizes: [Int], from first: Int = 0) async throws -> Int {
        var next = first
        for size in sizes {
            let txs = (next..<next + size).map(Self.tx)
            let head = try await store.reader.head()
            let header = BlockBuilder.header(after: head.header, frontier: head.frontier, txs: txs, timeMs: Self.now, key: producer)
            _ = try await store.append(BlockProposal(header: header, txs: txs))
            next += size
        }
        return next
    }

    func psql(_ sql: String) throws -> String {
        try server.psql(sql, database: name).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("nsctl backup and restore with the ledger in PostgreSQL (DATABASE_URL)", .serialized)
struct PostgresBackupRestoreTests {
    static func nsctl(_ arguments: [String], databaseURL: String) async throws -> NSCtlRunner.Outcome {
        try await NSCtlRunner.run(arguments, environment: ["DATABASE_URL": databaseURL])
    }

    static func onlyArchive(in folder: String) throws -> String {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tar.gz") }
        try #require(files.count == 1, "\(files)")
        return folder + "/" + files[0]
    }

    static func unpack(_ archive: String) throws -> String {
        let folder = try Tools.temporaryDirectory("pg-archive")
        let untar = try Tools.run("/bin/tar", ["-xzf", archive, "-C", folder])
        try #require(untar.status == 0, "\(untar.output)")
        return folder + "/data/" + DataLayout.ledgerDatabaseFile
    }

    @Test("the backup is an SQLite ledger at the same height that SQLite opens; it restores into a fresh database, which takes the next block",
          .timeLimit(.minutes(4)))
    func backupAndRestore() async throws {
        let server = try await PostgresServer.shared()
        let ledger = try PostgresLedger(server: server)
        let (checkpoint, pending) = try await ledger.withStore { store in
            let next = try await ledger.appendBlocks(store, sizes: [3, 600, 1, 7])
            _ = try await store.submit([PostgresLedger.tx(next), PostgresLedger.tx(next + 1)], rule: .onePerJob)
            return (try await store.reader.latestCheckpoint(), next)
        }
        let out = try Tools.temporaryDirectory("pg-backups")
        let data = try Tools.temporaryDirectory("pg-data")
        let backup = try await Self.nsctl(["backup", "ns-node-data", "--data-dir", data, "--out", out], databaseURL: ledger.url)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("ledger height 4 (611 transactions)"), "\(backup.stdout)")
        let archive = try Self.onlyArchive(in: out)
        let verified = try await NSCtlRunner.run(["backup", "verify", archive])
        #expect(verified.status == 0, "\(verified.stderr)")

        // The archive's ledger is an SQLite ns-node's: the audit passes and the store opens it.
        let file = try Self.unpack(archive)
        let audit = try await NSCtlRunner.run(["chain", "verify", "--db", file, "--json"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        #expect(summary["height"] as? Int == 4)
        var migrator = DatabaseMigrator()
        LedgerSchema.register(in: &migrator)
        let pool = try DatabasePool(path: file)
        try migrator.migrate(pool)
        let sqlite = try SQLiteLedgerStore(pool: pool, settings: ledger.settings, now: { PostgresLedger.now })
        #expect(try await sqlite.reader.head().header.height == 4)
        #expect(try await sqlite.reader.latestCheckpoint() == checkpoint)
        #expect(try await sqlite.reader.mempool(limit: 10).total == 2)
        let probe = PostgresLedger.tx(300)
        #expect(try await sqlite.reader.transaction(hash: probe.hash)?.leafIndex == 300, "found through tx_lookup")
        #expect(try await sqlite.reader.transactions(artifactSHA256: probe.artifactSHA256).count == 1, "found through artifact_lookup")
        #expect(try await sqlite.reader.transaction(jobID: "job_300") != nil, "found through job_lookup")
        #expect(try await pool.read { try Int64.fetchOne($0, sql: "SELECT indexed FROM lookup_frontier") } == 611)
        try pool.close()

        // Into a fresh database: the chain verifies there, and ns-nodes can go on from it.
        let target = try ledger.elsewhere()
        let restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: target.url)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("chain verified to height 4 in PostgreSQL"), "\(restored.stdout)")
        #expect(!restored.stdout.contains("previous ledger kept"), "the fresh database had none: \(restored.stdout)")
        try await target.withStore { store in
            #expect(try await store.reader.head().header.height == 4)
            #expect(try await store.reader.latestCheckpoint() == checkpoint)
            #expect(try await store.reader.mempool(limit: 10).total == 2)
            #expect(try await store.reader.transaction(jobID: "job_300") != nil)
            // The head, counters and sequences were derived: the next block and submit work.
            let received = try await store.submit([PostgresLedger.tx(pending + 2)], rule: .onePerJob)
            #expect(received.receipts.count == 1)
            try await target.appendBlocks(store, sizes: [2], from: pending)
            #expect(try await store.reader.head().header.height == 5)
            #expect(try await store.reader.mempool(limit: 10).total == 1)
            let chain = try await ChainAudit.audit(PostgresChainSource(database: store.database))
            #expect((try? chain.get())?.height == 5)
        }

        // Over a database holding a ledger: the old one is kept, renamed, with every block.
        let again = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: target.url)
        #expect(again.status == 0, "\(again.stderr)")
        let kept = try #require(again.stdout.range(of: #"ledger_replaced_\d{8}t\d{6}z"#, options: .regularExpression).map { String(again.stdout[$0]) })
        #expect(try target.psql("SELECT max(height) FROM \(kept).blocks") == "5")
        #expect(try target.psql("SELECT max(height) FROM ledger.blocks") == "4")
    }

    @Test("restore refuses while an ns-node is connected to the database, naming the fix, and changes nothing", .timeLimit(.minutes(3)))
    func refusesWhileNSNodeConnected() async throws {
        let server = try await PostgresServer.shared()
        let ledger = try PostgresLedger(server: server)
        _ = try await ledger.withStore { store in try await ledger.appendBlocks(store, sizes: [2]) }
        let out = try Tools.temporaryDirectory("pg-backups")
        let data = try Tools.temporaryDirectory("pg-data")
        #expect(try await Self.nsctl(["backup", "ns-node-data", "--data-dir", data, "--out", out], databaseURL: ledger.url).status == 0)
        let archive = try Self.onlyArchive(in: out)
        let refused = try await ledger.withDatabase(applicationName: "nsd ns-node") { database in
            _ = try await database.read { connection in try await connection.query("SELECT 1", logger: Logger(label: "test")) }
            return try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: ledger.url)
        }
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stop every ns-node on it before restoring"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")
        #expect(!refused.stderr.contains(server.password), "no secret in the error")
        #expect(try ledger.psql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ledger_replaced%'") == "0")
        // Once the ns-node is gone, the same restore goes ahead.
        var restored = NSCtlRunner.Outcome(status: nil, stdout: "", stderr: "")
        for _ in 0..<50 {
            restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: ledger.url)
            if restored.status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))  // the closed connection may linger in pg_stat_activity a moment
        }
        #expect(restored.status == 0, "\(restored.stderr)")
    }

    @Test("an SQLite ns-node's backup restores into PostgreSQL: the migration from SQLite", .timeLimit(.minutes(3)))
    func sqliteLedgerIntoPostgres() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        for round in 0..<3 { #expect(try await driver.produce(LedgerDriver.txs(20, from: round * 20)).status == 201) }
        let out = try Tools.temporaryDirectory("sqlite-backups")
        let backup = try await NSCtlRunner.run(["backup", "ns-node-data", "--data-dir", nsd.dataDirectory, "--out", out])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(await nsd.stop() == 0)
        let archive = try Self.onlyArchive(in: out)
        let server = try await PostgresServer.shared()
        let target = try PostgresLedger(server: server)
        let data = try Tools.temporaryDirectory("pg-data")
        let restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: target.url)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("chain verified to height 3 in PostgreSQL"), "\(restored.stdout)")
        #expect(try target.psql("SELECT count(*) FROM ledger.txs") == "60")
        #expect(try target.psql("SELECT height FROM ledger.head") == "3")
        let chain = try await target.withDatabase { database in try await ChainAudit.audit(PostgresChainSource(database: database)) }
        #expect((try? chain.get())?.height == 3)
    }

    @Test("an archive of a ledger from an older nsd (before the job lookup) restores into PostgreSQL, upgraded on the way",
          .timeLimit(.minutes(3)))
    func olderArchiveIntoPostgres() async throws {
        let server = try await PostgresServer.shared()
        let ledger = try PostgresLedger(server: server)
        _ = try await ledger.withStore { store in
            let next = try await ledger.appendBlocks(store, sizes: [2, 3])
            return try await store.submit([PostgresLedger.tx(next)], rule: .onePerJob)
        }
        let out = try Tools.temporaryDirectory("pg-backups")
        let data = try Tools.temporaryDirectory("pg-data")
        #expect(try await Self.nsctl(["backup", "ns-node-data", "--data-dir", data, "--out", out], databaseURL: ledger.url).status == 0)
        // Take the ledger back to before migration v4-job-lookup and pack it again with a matching manifest.
        let file = try Self.unpack(try Self.onlyArchive(in: out))
        let older = try DatabaseQueue(path: file)
        try await older.write { db in
            try db.execute(sql: """
                DROP INDEX mempool_by_job; ALTER TABLE mempool DROP COLUMN job_key; DROP TABLE job_lookup;
                DELETE FROM grdb_migrations WHERE identifier = 'v4-job-lookup';
                """)
        }
        try older.close()
        let unpacked = ((file as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        let manifestPath = unpacked + "/manifest.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        manifest["files"] = (manifest["files"] as? [[String: Any]] ?? []).map { entry in
            guard entry["path"] as? String == DataLayout.ledgerDatabaseFile else { return entry }
            return entry.merging(["size": bytes.count, "sha256": MerkleHash.sha256(bytes).hex]) { $1 }
        }
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let archive = try Tools.temporaryDirectory("pg-older") + "/ns-node-data-20261201T000000Z.tar.gz"
        let packed = try Tools.run("/bin/tar", ["--create", "--gzip", "--file", archive, "--directory", unpacked, "manifest.json", "data"])
        try #require(packed.status == 0, "\(packed.output)")
        #expect(try await NSCtlRunner.run(["backup", "verify", archive]).status == 0)

        let target = try ledger.elsewhere()
        let restored = try await Self.nsctl(["restore", archive, "--volume", "ns-node-data", "--data-dir", data, "--yes"], databaseURL: target.url)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("chain verified to height 2 in PostgreSQL"), "\(restored.stdout)")
        #expect(try target.psql("SELECT count(*) FROM ledger.mempool WHERE job_key <> 0") == "1", "the job key the upgrade derived")
    }
}
