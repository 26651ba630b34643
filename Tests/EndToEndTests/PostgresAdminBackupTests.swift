import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

/// `nsctl backup admin-node-data` and `nsctl restore --volume admin-node-data` with admin-node's
/// audit trail and sessions in PostgreSQL (`DATABASE_URL`), against real admin-nodes.
@Suite("nsctl backup and restore of admin-node-data with admin-node on PostgreSQL", .serialized)
struct PostgresAdminBackupTests {
    /// An ns-node and an admin-node on one fresh database of the shared cluster, reading
    /// `DATABASE_URL_FILE`, with four audit entries: three sign-ins and a revocation.
    struct Deployment {
        let database: PostgresLedger
        let folder: String
        let urlFile: String
        let ledger: NSDInstance
        let admin: NSDInstance
        /// Signed in as alice (operator), still live.
        let alice: AdminClient

        static func start() async throws -> Deployment {
            let database = try PostgresLedger(server: try await PostgresServer.shared())
            let folder = try Tools.temporaryDirectory("pg-admin-backup")
            let urlFile = folder + "/database_url"
            try Data((database.url + "\n").utf8).write(to: URL(fileURLWithPath: urlFile))
            let environment = AdminTests.environment.merging(["DATABASE_URL_FILE": urlFile]) { $1 }
            let ledger = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: folder + "/data")
            let admin = try await NSDInstance(roles: ["admin"], environment: environment.merging(["NS_NODE_URL": ledger.url("ns-node", "")]) { $1 },
                                              directory: folder, dataDirectory: folder + "/data")
            let base = admin.url("admin-node", "")
            let alice = AdminClient(base: base)
            #expect(try await alice.signIn(token: try await AdminClient.token(role: "operator", sub: "alice", secret: AdminTests.adminSecret)).status == 303)
            let bob = AdminClient(base: base)
            #expect(try await bob.signIn(token: try await AdminClient.token(role: "viewer", sub: "bob", secret: AdminTests.adminSecret)).status == 303)
            let root = AdminClient(base: base)
            #expect(try await root.signIn(token: try await AdminClient.token(role: "admin", sub: "root", secret: AdminTests.adminSecret)).status == 303)
            let sessions = try await root.get("/api/sessions").json?["sessions"] as? [[String: Any]] ?? []
            let bobSession = try #require(sessions.first { $0["subject"] as? String == "bob" }?["idHash"] as? String)
            let csrf = try #require(try await root.get("/sessions").csrf)
            #expect(try await root.post("/sessions/revoke", form: ["session": bobSession, "csrf": csrf, "confirm": "yes"]).status == 303)
            return Deployment(database: database, folder: folder, urlFile: urlFile, ledger: ledger, admin: admin, alice: alice)
        }

        func stop() async {
            #expect(await admin.stop() == 0)
            #expect(await ledger.stop() == 0)
        }
    }

    /// `nsctl audit verify --no-ledger` on `url`: its status and its line.
    static func auditVerify(_ url: String) async throws -> NSCtlRunner.Outcome {
        try await NSCtlRunner.run(["audit", "verify", "--no-ledger"], environment: ["DATABASE_URL": url])
    }

    static func backup(into out: String, environment: [String: String], dataDirectory: String) async throws -> String {
        let backup = try await NSCtlRunner.run(["backup", "admin-node-data", "--data-dir", dataDirectory, "--out", out], environment: environment)
        #expect(backup.status == 0, "\(backup.stderr)")
        return try PostgresBackupRestoreTests.onlyArchive(in: out)
    }

    @Test("a live admin-node's trail and sessions back up into admin.db, verify (and a tampered trail does not), and restore into a fresh database with the same chain",
          .timeLimit(.minutes(4)))
    func backupVerifyRestore() async throws {
        let deployment = try await Deployment.start()
        let source = try await Self.auditVerify(deployment.database.url)
        #expect(source.status == 0 && source.stdout.hasPrefix("audit chain verified: 4 entries"), "\(source.stdout)\(source.stderr)")
        let out = try Tools.temporaryDirectory("pg-admin-backups")
        let archive = try await Self.backup(into: out, environment: ["DATABASE_URL_FILE": deployment.urlFile], dataDirectory: deployment.folder + "/data")
        #expect(try await NSCtlRunner.run(["backup", "verify", archive]).status == 0)

        // The archive holds an SQLite admin-node's admin.db: every entry and every session, read with nsctl audit as any.
        let unpacked = try Tools.temporaryDirectory("pg-admin-archive")
        #expect(try Tools.run("/bin/tar", ["-xzf", archive, "-C", unpacked]).status == 0)
        let file = unpacked + "/data/" + DataLayout.adminDatabaseFile
        let fromFile = try await NSCtlRunner.run(["audit", "verify", "--no-ledger", "--db", file])
        #expect(fromFile.stdout == source.stdout, "\(fromFile.stdout)\(fromFile.stderr)")
        let sessions = try DatabaseQueue(path: file)
        #expect(try await sessions.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions") } == 3)
        #expect(try await sessions.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL") } == 1)

        // An entry rewritten after the snapshot, with the manifest made to match: verify names the break.
        try await sessions.write { try $0.execute(sql: "UPDATE audit SET actor = 'mallory' WHERE seq = 2") }
        try sessions.close()
        let tampered = try Self.repack(unpacked, volume: "admin-node-data")
        let refused = try await NSCtlRunner.run(["backup", "verify", tampered])
        #expect(refused.status == 1 && refused.stderr.contains("the audit trail in the backup is broken at"), "\(refused.stderr)")

        // Into a fresh database: the same chain, head and sessions; alice's cookie is a session there.
        let target = try deployment.database.elsewhere()
        let restored = try await PostgresBackupRestoreTests.nsctl(["restore", archive, "--volume", "admin-node-data", "--data-dir",
                                                                   try Tools.temporaryDirectory("pg-admin-data"), "--yes"], databaseURL: target.url)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("audit chain verified in PostgreSQL: 4 entries"), "\(restored.stdout)")
        #expect(!restored.stdout.contains("admin_replaced"), "the fresh database had no admin schema: \(restored.stdout)")
        #expect(!restored.stdout.contains(target.server.password) && !restored.stderr.contains(target.server.password))
        let there = try await Self.auditVerify(target.url)
        #expect(there.status == 0 && there.stdout == source.stdout, "\(there.stdout)\(there.stderr)")
        #expect(try target.psql("SELECT count(*) FROM admin.sessions") == "3")
        let restoredAdmin = try await NSDInstance(roles: ["admin"], environment: AdminTests.environment.merging(
            ["DATABASE_URL": target.url, "NS_NODE_URL": deployment.ledger.url("ns-node", "")]) { $1 })
        let alice = AdminClient(base: restoredAdmin.url("admin-node", ""))
        alice.cookie = deployment.alice.cookie
        #expect(try await alice.get("/audit").status == 200, "the restored session is live")
        #expect(await restoredAdmin.stop() == 0)
        await deployment.stop()
    }

    @Test("restore refuses while an admin-node is connected, in one line naming the fix, and changes nothing; stopped, the old schema is kept",
          .timeLimit(.minutes(4)))
    func refusesWhileAdminNodeConnected() async throws {
        let deployment = try await Deployment.start()
        let out = try Tools.temporaryDirectory("pg-admin-backups")
        let environment = ["DATABASE_URL_FILE": deployment.urlFile]
        let archive = try await Self.backup(into: out, environment: environment, dataDirectory: deployment.folder + "/data")
        let data = try Tools.temporaryDirectory("pg-admin-data")
        let arguments = ["restore", archive, "--volume", "admin-node-data", "--data-dir", data, "--yes"]
        let refused = try await NSCtlRunner.run(arguments, environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stop every admin-node on it before restoring"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")
        #expect(!refused.stderr.contains(deployment.database.server.password), "no secret in the error")
        #expect(try deployment.database.psql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'admin_replaced%'") == "0")
        #expect(try deployment.database.psql("SELECT count(*) FROM admin.audit") == "4")

        // One more entry after the backup; once admin-node is gone, the restore goes ahead and keeps it aside.
        let late = AdminClient(base: deployment.admin.url("admin-node", ""))
        #expect(try await late.signIn(token: try await AdminClient.token(role: "viewer", sub: "late", secret: AdminTests.adminSecret)).status == 303)
        await deployment.stop()
        var restored = NSCtlRunner.Outcome(status: nil, stdout: "", stderr: "")
        for _ in 0..<50 {
            restored = try await NSCtlRunner.run(arguments, environment: environment)
            if restored.status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))  // the closed connections may linger in pg_stat_activity a moment
        }
        #expect(restored.status == 0, "\(restored.stderr)")
        let kept = try #require(restored.stdout.range(of: #"admin_replaced_\d{8}t\d{6}z"#, options: .regularExpression).map { String(restored.stdout[$0]) })
        #expect(try deployment.database.psql("SELECT max(seq) FROM \(kept).audit") == "5")
        #expect(try deployment.database.psql("SELECT max(seq) FROM admin.audit") == "4")
        let verified = try await Self.auditVerify(deployment.database.url)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("audit chain verified: 4 entries"), "\(verified.stdout)\(verified.stderr)")
    }

    @Test("an SQLite admin-node's admin-node-data archive imports into PostgreSQL: the migration from SQLite", .timeLimit(.minutes(3)))
    func sqliteAdminArchiveIntoPostgres() async throws {
        let nsd = try await NSDInstance(environment: AdminTests.environment)
        for (index, role) in ["viewer", "operator", "admin"].enumerated() {
            let client = AdminClient(base: nsd.url("admin-node", ""))
            #expect(try await client.signIn(token: try await AdminClient.token(role: role, sub: "user\(index)", secret: AdminTests.adminSecret)).status == 303)
        }
        let out = try Tools.temporaryDirectory("sqlite-admin-backups")
        let archive = try await Self.backup(into: out, environment: [:], dataDirectory: nsd.dataDirectory)
        #expect(await nsd.stop() == 0)
        let trail = try AdminTests.auditEntries(nsd)
        let onFile = try await NSCtlRunner.run(["audit", "verify", "--no-ledger", "--db", nsd.dataDirectory + "/admin-node-data/admin.db"])
        #expect(onFile.status == 0 && onFile.stdout.hasPrefix("audit chain verified: \(trail.count) entries"), "\(onFile.stdout)\(onFile.stderr)")

        let target = try PostgresLedger(server: try await PostgresServer.shared())
        let restored = try await PostgresBackupRestoreTests.nsctl(["restore", archive, "--volume", "admin-node-data", "--data-dir",
                                                                   try Tools.temporaryDirectory("pg-admin-data"), "--yes"], databaseURL: target.url)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("audit chain verified in PostgreSQL: \(trail.count) entries"), "\(restored.stdout)")
        let verified = try await Self.auditVerify(target.url)
        #expect(verified.status == 0 && verified.stdout == onFile.stdout, "\(verified.stdout)\(verified.stderr)")
        #expect(try target.psql("SELECT count(*) FROM admin.sessions") == "3")
    }

    /// Packs an unpacked archive folder again with a manifest matching its files' new sizes and
    /// SHA-256s, as someone rewriting a backup would.
    static func repack(_ unpacked: String, volume: String) throws -> String {
        let manifestPath = unpacked + "/manifest.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        manifest["files"] = try (manifest["files"] as? [[String: Any]] ?? []).map { entry in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: unpacked + "/data/" + (entry["path"] as? String ?? "")))
            return entry.merging(["size": bytes.count, "sha256": MerkleHash.sha256(bytes).hex]) { $1 }
        }
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let archive = try Tools.temporaryDirectory("pg-repacked") + "/\(volume)-20261201T000000Z.tar.gz"
        let packed = try Tools.run("/bin/tar", ["--create", "--gzip", "--file", archive, "--directory", unpacked, "manifest.json", "data"])
        try #require(packed.status == 0, "\(packed.output)")
        return archive
    }
}
