import Foundation
import NSCore
import NSTestSupport
import Testing

/// admin-node's state on PostgreSQL (`DATABASE_URL`): two admin-nodes over one database share
/// their sessions and extend one audit chain, which `nsctl audit` reads from the database.
@Suite("admin-node on PostgreSQL: two admin-nodes over one database", .serialized)
struct PostgresAdminNodesTests {
    @Test("a session signed in on one admin-node works and is revoked on the other; concurrent actions on both make one chain nsctl verifies",
          .timeLimit(.minutes(3)))
    func twoAdminNodesOneDatabase() async throws {
        let server = try await PostgresServer()
        try server.createDatabase("e2e_admin")
        let databaseURL = server.url(database: "e2e_admin") + "?sslmode=disable"
        let folder = try Tools.temporaryDirectory("postgres-admin")
        let data = folder + "/data"
        try Data((databaseURL + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/database_url"))
        let environment = AdminTests.environment.merging(["DATABASE_URL_FILE": folder + "/database_url"]) { $1 }

        let ledger = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let nodeEnvironment = environment.merging(["NS_NODE_URL": ledger.url("ns-node", "")]) { $1 }
        let first = try await NSDInstance(roles: ["admin"], environment: nodeEnvironment, directory: folder, dataDirectory: data)
        let second = try await NSDInstance(roles: ["admin"], environment: nodeEnvironment, directory: folder, dataDirectory: data)
        let (adminA, adminB) = (first.url("admin-node", ""), second.url("admin-node", ""))
        #expect(!FileManager.default.fileExists(atPath: data + "/admin-node-data/admin.db"), "no SQLite trail is made beside the database")

        // Signed in on A, the same cookie is a session on B.
        let alice = AdminClient(base: adminA)
        let signedIn = try await alice.signIn(token: try await AdminClient.token(role: "operator", sub: "alice", secret: AdminTests.adminSecret))
        #expect(signedIn.status == 303 && alice.cookie != nil)
        let onB = AdminClient(base: adminB)
        onB.cookie = alice.cookie
        let audited = try await onB.get("/audit")
        #expect(audited.status == 200 && audited.body.contains("alice"), "the session made on A is live on B: \(audited.status)")

        // Sign-ins on both nodes at once: every entry lands in one chain.
        let rounds = 12
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<rounds {
                group.addTask {
                    let client = AdminClient(base: index.isMultiple(of: 2) ? adminA : adminB)
                    let page = try await client.signIn(token: try await AdminClient.token(role: "viewer", sub: "user\(index)", secret: AdminTests.adminSecret))
                    #expect(page.status == 303)
                }
            }
            try await group.waitForAll()
        }

        // An admin on B revokes alice's session; it ends on A too.
        let admin = AdminClient(base: adminB)
        try await admin.signIn(token: try await AdminClient.token(role: "admin", sub: "root", secret: AdminTests.adminSecret))
        let sessions = try await admin.get("/api/sessions").json?["sessions"] as? [[String: Any]] ?? []
        #expect(sessions.count == rounds + 2, "every session made on either node is listed on B: \(sessions.count)")
        let aliceSession = try #require(sessions.first { $0["subject"] as? String == "alice" }?["idHash"] as? String)
        let csrf = try #require(try await admin.get("/sessions").csrf)
        #expect(try await admin.post("/sessions/revoke", form: ["session": aliceSession, "csrf": csrf, "confirm": "yes"]).status == 303)
        #expect(try await alice.get("/audit").status == 303, "revoked on B, the session is gone on A")

        // One chain: alice's sign-in, the concurrent ones, root's sign-in and the revocation.
        let expected = 1 + rounds + 1 + 1
        let verified = try await NSCtlRunner.run(["audit", "verify", "--no-ledger"], environment: ["DATABASE_URL_FILE": folder + "/database_url"],
                                                 directory: folder)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("audit chain verified: \(expected) entries"), "\(verified.stdout)\(verified.stderr)")
        #expect(!verified.stdout.contains(server.password) && !verified.stderr.contains(server.password))
        let tail = try await NSCtlRunner.run(["audit", "tail", "--json", "-n", "1", "--database-url", databaseURL], directory: folder)
        #expect(tail.status == 0 && tail.stdout.contains(#""action":"session-revoke""#), "\(tail.stdout)\(tail.stderr)")
        let both = try await NSCtlRunner.run(["audit", "tail", "--db", "x.db", "--database-url", databaseURL], directory: folder)
        #expect(both.status != 0 && both.stderr.contains("--db and --database-url name two sources"), "\(both.stderr)")

        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
        #expect(await ledger.stop() == 0)
    }
}
