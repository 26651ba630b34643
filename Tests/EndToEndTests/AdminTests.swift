import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NSCore
import NSTestSupport
import Testing

@Suite("admin-node: sessions, RBAC, CSRF and the audit trail in a running nsd")
struct AdminTests {
    static let adminSecret = String(repeating: "ad", count: 24)
    static let environment = ["ADMIN_JWT_SECRET": adminSecret, "SESSION_SECRET": String(repeating: "5e", count: 24),
                              "JWT_SECRET": ClientToken.secret, "SANDBOX_RUNTIMES": "sh=/bin/sh,ruby=/usr/bin/ruby-absent"]
    static let roles = ["viewer", "operator", "admin"]
    static let pages = ["/": "viewer", "/jobs": "viewer", "/dlq": "viewer", "/chain": "viewer", "/chain/blocks/0": "viewer",
                        "/validators": "viewer", "/audit": "viewer", "/sessions": "admin"]
    static let actions = ["/dlq/retry": "operator", "/dlq/purge": "operator", "/jobs/cancel": "operator", "/queue/pause": "operator",
                          "/queue/resume": "operator", "/validators/add": "admin", "/validators/remove": "admin", "/sessions/revoke": "admin"]

    static func allowed(_ role: String?, needs: String) -> Bool {
        guard let role, let have = roles.firstIndex(of: role), let need = roles.firstIndex(of: needs) else { return false }
        return have >= need
    }

    static func auditEntries(_ nsd: NSDInstance) throws -> [Row] {
        let database = try DatabaseQueue(path: nsd.dataDirectory + "/admin-node-data/admin.db", configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? database.close() }
        return try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq") }
    }

    @Test("the RBAC matrix: every page, API route and action, for every role and for no session")
    func rbacMatrix() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let base = nsd.url("admin-node", "")
        var clients: [String?: AdminClient] = [nil: AdminClient(base: base)]
        var tokens: [String: String] = [:]
        for role in Self.roles {
            let token = try await AdminClient.token(role: role, sub: "user-\(role)", secret: Self.adminSecret)
            tokens[role] = token
            let client = AdminClient(base: base)
            #expect(try await client.signIn(token: token).status == 303)
            clients[role] = client
        }
        var denied = 0
        for role in [nil] + Self.roles.map(Optional.some) {
            let client = try #require(clients[role])
            for (path, needs) in Self.pages {
                let page = try await client.get(path)
                let expected = role == nil ? 303 : (Self.allowed(role, needs: needs) ? 200 : 403)
                #expect(page.status == expected, "GET \(path) as \(role ?? "nobody"): \(page.status)")
                if role != nil && expected == 403 { denied += 1 }
                let apiPath = "/api" + (path == "/" ? "/overview" : path)
                let api = try await client.get(apiPath, bearer: role.flatMap { tokens[$0] })
                let expectedAPI = role == nil ? 401 : (Self.allowed(role, needs: needs) ? 200 : 403)
                #expect(api.status == expectedAPI, "GET \(apiPath) as \(role ?? "nobody"): \(api.status)")
                if expectedAPI == 200 { #expect(api.headers["content-type"]?.hasPrefix("application/json") == true) }
                if expectedAPI != 200 { #expect(api.headers["content-type"] == "application/problem+json") }
                if role != nil && expectedAPI == 403 { denied += 1 }
            }
            let csrf = role == nil ? "" : try #require(try await client.get("/jobs").csrf)
            for (path, needs) in Self.actions {
                // Without confirm=yes an allowed action only shows its confirmation page.
                let page = try await client.post(path, form: ["csrf": csrf, "id": "job_x", "name": "n", "publicKey": "k", "session": "s"])
                let expected = role == nil ? 303 : (Self.allowed(role, needs: needs) ? 200 : 403)
                #expect(page.status == expected, "POST \(path) as \(role ?? "nobody"): \(page.status)")
                if expected == 200 { #expect(page.body.contains("name=\"confirm\" value=\"yes\""), "confirmation page for \(path)") }
                if role != nil && expected == 403 { denied += 1 }
            }
        }
        // viewer: /sessions page and API and all eight actions; operator: /sessions twice and the three admin actions.
        #expect(denied == 15)
        let forbidden = try Self.auditEntries(nsd).filter { ($0["action"] as String) == "forbidden" }
        #expect(forbidden.count == denied, "every refused attempt is audited")
        #expect(await nsd.stop() == 0)
    }

    @Test("sessions: cookie flags, refused tokens, CSRF, sign-out and revocation, each audited")
    func sessionsAndCSRF() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let base = nsd.url("admin-node", "")
        let client = AdminClient(base: base)
        let signedIn = try await client.signIn(token: try await AdminClient.token(role: "operator", sub: "alice", secret: Self.adminSecret))
        let cookie = try #require(signedIn.headers["set-cookie"])
        #expect(cookie.hasPrefix("ns_session=") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"))
        #expect(cookie.contains("; Path=/") && cookie.contains("; Max-Age=28800"))
        #expect(!cookie.contains("Secure"), "plain HTTP in development: no Secure flag")

        // Refused tokens: back to sign-in with a message and no cookie.
        let stranger = AdminClient(base: base)
        for token in ["not-a-token", try await AdminClient.token(role: "admin", sub: "mallory", secret: String(repeating: "0", count: 48)),
                      ClientToken.make(sub: "client-token-without-role")] {
            let refused = try await stranger.signIn(token: token)
            #expect(refused.status == 303 && refused.headers["location"] == "/login?error=1")
            #expect(refused.headers["set-cookie"] == nil)
        }
        #expect(try await stranger.get("/login?error=1").body.contains("That token was not accepted"))

        // A tampered cookie is no session.
        let forged = AdminClient(base: base)
        forged.cookie = try #require(client.cookie).replacingOccurrences(of: ".", with: "x.")
        #expect(try await forged.get("/").status == 303)

        // CSRF: missing and wrong tokens are refused and audited; nothing runs.
        let csrf = try #require(try await client.get("/jobs").csrf)
        #expect(try await client.post("/queue/pause", form: ["confirm": "yes"]).status == 403)
        #expect(try await client.post("/queue/pause", form: ["confirm": "yes", "csrf": String(repeating: "0", count: 64)]).status == 403)
        let queueState = try await client.get("/api/jobs")
        #expect(queueState.status == 200)
        let paused = try await client.post("/queue/pause", form: ["confirm": "yes", "csrf": csrf])
        #expect(paused.status == 303 && paused.headers["location"]?.hasPrefix("/jobs?done=") == true)
        #expect(try await client.post("/queue/resume", form: ["confirm": "yes", "csrf": csrf]).status == 303)

        // Scripts act through /api/ with a bearer token: the same role rules, no confirmation step.
        let operatorToken = try await AdminClient.token(role: "operator", sub: "script", secret: Self.adminSecret)
        let viewerToken = try await AdminClient.token(role: "viewer", sub: "reader", secret: Self.adminSecret)
        let scripted = try await AdminClient(base: base).postJSON("/api/queue/pause", json: "{}", bearer: operatorToken)
        #expect(scripted.status == 200 && scripted.json?["message"] as? String == "queue paused", "\(scripted.body)")
        #expect(try await AdminClient(base: base).postJSON("/api/queue/resume", json: "{}", bearer: viewerToken).status == 403)
        #expect(try await AdminClient(base: base).postJSON("/api/queue/resume", json: "{}", bearer: operatorToken).status == 200)

        // An admin sees the session and revokes it; the cookie stops working at once.
        let admin = AdminClient(base: base)
        try await admin.signIn(token: try await AdminClient.token(role: "admin", sub: "root", secret: Self.adminSecret))
        let sessions = try await admin.get("/api/sessions")
        let listed = sessions.json?["sessions"] as? [[String: Any]] ?? []
        let alice = listed.first { $0["subject"] as? String == "alice" }
        let aliceSession = try #require(alice?["idHash"] as? String)
        let adminCSRF = try #require(try await admin.get("/sessions").csrf)
        #expect(try await admin.post("/sessions/revoke", form: ["session": aliceSession, "csrf": adminCSRF, "confirm": "yes"]).status == 303)
        #expect(try await client.get("/").status == 303)

        // Sign-out ends the admin's own session.
        let out = try await admin.post("/logout", form: ["csrf": adminCSRF])
        #expect(out.status == 303 && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await admin.get("/").status == 303)

        let actions = try Self.auditEntries(nsd).map { "\($0["actor"] as String) \($0["action"] as String) \($0["outcome"] as String)" }
        for expected in ["alice sign-in ok", "- sign-in-failed denied", "alice csrf-rejected denied", "alice queue-pause ok", "script queue-pause ok",
                         "reader forbidden denied: needs operator",
                         "alice queue-resume ok", "root session-revoke ok", "root sign-out ok"] {
            #expect(actions.contains(expected), "audit lacks \(expected): \(actions)")
        }
        #expect(actions.filter { $0 == "- sign-in-failed denied" }.count == 3)
        #expect(await nsd.stop() == 0)
    }

    @Test("production, or HTTPS reported by a trusted proxy, sets the Secure flag on the session cookie")
    func secureCookie() async throws {
        let secrets = Self.environment.merging(["NODE_ENV": "production", "INTERNAL_TOKEN": String(repeating: "1f", count: 32)]) { $1 }
        let production = try await NSDInstance(roles: ["admin"], environment: secrets)
        let client = AdminClient(base: production.url("admin-node", ""))
        let signedIn = try await client.signIn(token: try await AdminClient.token(role: "viewer", sub: "v", secret: Self.adminSecret))
        #expect(signedIn.headers["set-cookie"]?.contains("; Secure") == true)
        #expect(await production.stop() == 0)

        let token = try await AdminClient.token(role: "viewer", sub: "v", secret: Self.adminSecret)
        for (proxies, secure) in [("127.0.0.1/32", true), ("10.0.0.0/8", false)] {
            let nsd = try await NSDInstance(roles: ["admin"], environment: Self.environment.merging(["TRUSTED_PROXIES": proxies]) { $1 })
            let form = Array("token=\(token)".utf8)
            var request = HTTPClientRequest(url: nsd.url("admin-node", "/login"))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.headers.add(name: "X-Forwarded-Proto", value: "https")
            request.body = .bytes(ByteBuffer(bytes: form))
            let response = try await AdminClient.http.execute(request, timeout: .seconds(10))
            let cookie = response.headers["Set-Cookie"].first ?? ""
            #expect(cookie.contains("; Secure") == secure, "TRUSTED_PROXIES=\(proxies): \(cookie)")
            #expect(await nsd.stop() == 0)
        }
    }

    @Test("the audit chain: nsctl audit verify passes, then names the entry that was changed or removed")
    func auditChainTamper() async throws {
        let nsd = try await NSDInstance(roles: ["admin"], environment: Self.environment)
        let client = AdminClient(base: nsd.url("admin-node", ""))
        for index in 0..<4 {
            try await client.signIn(token: try await AdminClient.token(role: "viewer", sub: "user\(index)", secret: Self.adminSecret))
            _ = try await client.get("/sessions")  // forbidden: one more entry
        }
        #expect(await nsd.stop() == 0)
        // The chain alone here (no ns-node runs; a broken chain fails before ns-node is asked).
        // AuditAnchorTests checks the trail against the ledger.
        let db = nsd.dataDirectory + "/admin-node-data/admin.db"
        let good = try await NSCtlRunner.run(["audit", "verify", "--db", db, "--no-ledger"])
        #expect(good.status == 0 && good.stdout.hasPrefix("audit chain verified: 8 entries"), "\(good.stdout)\(good.stderr)")
        let tail = try await NSCtlRunner.run(["audit", "tail", "--db", db, "--json", "-n", "2"])
        let lines = tail.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines.last?.contains(#""action":"forbidden""#) == true, "\(tail.stdout)\(tail.stderr)")

        let database = try DatabaseQueue(path: db)
        try await database.write { db in try db.execute(sql: "UPDATE audit SET actor = 'someone-else' WHERE seq = 5") }
        let changed = try await NSCtlRunner.run(["audit", "verify", "--db", db])
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("entry 5: its content does not match its hash"), "\(changed.stderr)")
        try await database.write { db in
            try db.execute(sql: "UPDATE audit SET actor = 'user2' WHERE seq = 5")
            try db.execute(sql: "DELETE FROM audit WHERE seq = 3")
        }
        let removed = try await NSCtlRunner.run(["audit", "verify", "--db", db])
        #expect(removed.status == 1)
        #expect(removed.stderr.contains("entry 4: expected entry 3 here"), "\(removed.stderr)")
        try database.close()
    }

    @Test("an admin changes the validator set from the dashboard; the chain and transaction pages show ledger data with its proof")
    func governanceAndChainPages() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let admin = AdminClient(base: nsd.url("admin-node", ""))
        try await admin.signIn(token: try await AdminClient.token(role: "admin", sub: "gov", secret: Self.adminSecret))
        let csrf = try #require(try await admin.get("/validators").csrf)
        let key = LedgerKey(generatingNamed: "vp-2").publicKey.base64
        let confirm = try await admin.post("/validators/add", form: ["name": "vp-2", "publicKey": key, "csrf": csrf])
        #expect(confirm.status == 200 && confirm.body.contains("Add validator vp-2 with key \(key)"))
        #expect(try await Fetched.get(nsd.url("ns-node", "/v1/validators")).body.contains(key) == false, "nothing changes before confirmation")
        let added = try await admin.post("/validators/add", form: ["name": "vp-2", "publicKey": key, "csrf": csrf, "confirm": "yes"])
        #expect(added.status == 303 && added.headers["location"]?.hasPrefix("/validators?done=validator%20vp%2D2%20added") == true, "\(added.headers)")
        let validators = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/validators")).json?["validators"] as? [[String: Any]])
        let entry = try #require(validators.first { $0["publicKey"] as? String == key })
        #expect(entry["active"] as? Bool == true)
        let page = try await admin.get("/validators?done=x")
        #expect(page.body.contains("vp-2") && page.body.contains(key))
        let id = try #require(entry["id"] as? String)
        #expect(try await admin.post("/validators/remove", form: ["id": id, "csrf": csrf, "confirm": "yes"]).status == 303)
        let after = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/validators")).json?["validators"] as? [[String: Any]])
        #expect(after.first { $0["id"] as? String == id }?["active"] as? Bool == false)
        // A refused change (the same key again) is shown as ns-node's conflict and audited as failed.
        let refused = try await admin.post("/validators/add", form: ["name": "vp-2", "publicKey": key, "csrf": csrf, "confirm": "yes"])
        #expect(refused.status == 409 && refused.body.contains("ns-node refused"), "\(refused.status)")
        let audit = try Self.auditEntries(nsd).map { "\($0["action"] as String) \(($0["outcome"] as String).prefix(6))" }
        #expect(audit.contains("validator-add ok") && audit.contains("validator-remove ok") && audit.contains("validator-add failed"), "\(audit)")

        // Commit an artifact, then follow it from the chain page to its transaction and proof.
        let submitted = try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "c"), content: "anchored text")
        let jobID = try #require(submitted.json?["id"] as? String)
        var txHash: String?
        for _ in 0..<100 where txHash == nil {
            let status = try await Fetched.get(nsd.url("gateway-node", "/api/status/\(jobID)"), token: ClientToken.make(sub: "c")).json
            if (status?["ledger"] as? [String: Any])?["status"] as? String == "committed" { txHash = status?["txHash"] as? String }
            try await Task.sleep(for: .milliseconds(100))
        }
        let hash = try #require(txHash)
        let chain = try await admin.get("/chain")
        #expect(chain.status == 200 && chain.body.contains("href=\"/chain/blocks/1\""))
        #expect(try await admin.get("/chain/blocks/1").body.contains("/chain/tx/\(hash)"))
        let tx = try await admin.get("/chain/tx/\(hash)")
        #expect(tx.status == 200 && tx.body.contains("Inclusion proof against tree size"))
        let api = try #require(try await admin.get("/api/chain/tx/\(hash)").json)
        #expect(api["hash"] as? String == hash && api["treeSize"] as? Int ?? 0 >= 1)
        #expect(try await admin.get("/chain/tx/nothex").status == 400)
        #expect(await nsd.stop() == 0)
    }
}
