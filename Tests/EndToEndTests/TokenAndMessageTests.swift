import Foundation
import NSCore
import NSTestSupport
import Testing

/// Issue 23, parts 4, 5 and 8 in a running nsd: tokens the ledger would refuse, the JSON media
/// type on every node, and the messages an operator reads (pages, problems and log lines).
@Suite("tokens, media types and operator messages in a running nsd")
struct TokenAndMessageTests {
    static let environment = AdminTests.environment

    /// The access-log line of the request sent with `X-Request-ID: id` by `service`.
    static func accessLine(_ nsd: NSDInstance, service: String, id: String) async throws -> [String: Any] {
        try await nsd.child.waitForOutput(timeout: .seconds(10)) { lines in
            lines.contains { $0.contains(#""correlationId":"\#(id)""#) && $0.contains(#""service":"\#(service)""#) && $0.contains(#""message":"request""#) }
        }
        let line = nsd.child.stdoutLines.first {
            $0.contains(#""correlationId":"\#(id)""#) && $0.contains(#""service":"\#(service)""#) && $0.contains(#""message":"request""#)
        }
        return try #require(line.flatMap(LogLine.parse))
    }

    @Test("401s give the reason, name the node that refused, and log the reason without the token; a sub the ledger refuses is 401, not 202")
    func tokenRefusals() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let gateway = nsd.url("gateway-node", "")

        // The probe's reproduction: a 300-character sub was accepted (202) and dead-lettered later.
        let longSub = ClientToken.make(sub: String(repeating: "s", count: 300))
        let refused = try await Fetched.submit(gateway, token: longSub, content: "never enqueued")
        #expect(refused.status == 401)
        #expect((refused.json?["detail"] as? String)?.contains("sub is longer than the 256 characters the ledger accepts") == true, "\(refused.body)")
        #expect(try await Fetched.submit(gateway, token: ClientToken.make(sub: String(repeating: "s", count: 256)), content: "fits").status == 202)

        // A log line says why a token was refused, never the token.
        let expired = ClientToken.make(sub: "alice", expiresIn: -3_600)
        let stale = try await Fetched.get(gateway + "/api/status/job_x", headers: ["Authorization": "Bearer \(expired)", "X-Request-ID": "e2e-expired-401"])
        #expect(stale.status == 401)
        let line = try await Self.accessLine(nsd, service: "gateway-node", id: "e2e-expired-401")
        #expect(line["status"] as? Int == 401 && line["authError"] as? String == "the token has expired", "\(line)")
        #expect(!nsd.child.stdoutLines.contains { $0.contains(expired) || $0.contains(longSub) }, "no token is ever logged")

        // vp-node's operator API names itself and the secret, not "this gateway".
        let gatewayToken = try await NSCtlRunner.run(["token", "create", "--sub", "alice"], environment: ["JWT_SECRET": ClientToken.secret])
        #expect(gatewayToken.status == 0, "\(gatewayToken.stderr)")
        let token = gatewayToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let operatorAPI = try await Fetched.get(nsd.url("vp-node", "/v1/queue"), headers: ["Authorization": "Bearer \(token)", "X-Request-ID": "e2e-vp-401"])
        #expect(operatorAPI.status == 401)
        let detail = operatorAPI.json?["detail"] as? String ?? ""
        #expect(detail.contains("names no key vp-node holds") && detail.contains("ADMIN_JWT_SECRET") && !detail.contains("gateway"), "\(detail)")
        let vpLine = try await Self.accessLine(nsd, service: "vp-node", id: "e2e-vp-401")
        #expect((vpLine["authError"] as? String)?.contains("names no key vp-node holds") == true, "\(vpLine)")

        // admin-node's /api logs the reason too.
        let adminAPI = try await Fetched.get(nsd.url("admin-node", "/api/jobs"), headers: ["Authorization": "Bearer \(token)", "X-Request-ID": "e2e-admin-401"])
        #expect(adminAPI.status == 401)
        let adminLine = try await Self.accessLine(nsd, service: "admin-node", id: "e2e-admin-401")
        #expect((adminLine["authError"] as? String)?.contains("names no key admin-node holds") == true, "\(adminLine)")
        let signIn = try await Fetched.post(nsd.url("admin-node", "/login"), body: Array("token=\(token)".utf8),
                                            contentType: "application/x-www-form-urlencoded", headers: ["X-Request-ID": "e2e-login-refused"])
        // The shared client follows the redirect back to the sign-in page.
        #expect(signIn.body.contains("That token was not accepted"), "\(signIn.status)")
        let signInLine = try await Self.accessLine(nsd, service: "admin-node", id: "e2e-login-refused")
        #expect((signInLine["authError"] as? String)?.contains("names no key admin-node holds") == true, "\(signInLine)")
        #expect(!nsd.child.stdoutLines.contains { $0.contains(token) }, "no token is ever logged")
        #expect(await nsd.stop() == 0)
    }

    @Test("nsctl token create caps --ttl at JWT_MAX_TTL (default 30d) and --sub at the ledger's 256 characters")
    func tokenCreateLimits() async throws {
        let secret = ["JWT_SECRET": ClientToken.secret]
        let month = try await NSCtlRunner.run(["token", "create", "--sub", "a", "--ttl", "30d"], environment: secret)
        #expect(month.status == 0, "\(month.stderr)")
        let day = secret.merging(["JWT_MAX_TTL": "1d"]) { $1 }
        let tooLong = try await NSCtlRunner.run(["token", "create", "--sub", "a", "--ttl", "2d"], environment: day)
        #expect(tooLong.status == 64)
        #expect(tooLong.stderr.contains("--ttl 2d is longer than JWT_MAX_TTL allows (1d)"), "\(tooLong.stderr)")
        #expect(try await NSCtlRunner.run(["token", "create", "--sub", "a", "--ttl", "24h"], environment: day).status == 0)
        let badSetting = try await NSCtlRunner.run(["token", "create", "--sub", "a"], environment: secret.merging(["JWT_MAX_TTL": "forever"]) { $1 })
        #expect(badSetting.status == 78 && badSetting.stderr.contains("JWT_MAX_TTL"), "\(badSetting.stderr)")
        let longSub = try await NSCtlRunner.run(["token", "create", "--sub", String(repeating: "s", count: 257)], environment: secret)
        #expect(longSub.status == 64 && longSub.stderr.contains("1 to 256 characters"), "\(longSub.stderr)")
    }

    @Test("every node's JSON routes answer 415 problem+json to JSON look-alikes; admin /api answers 413 above its body limit")
    func mediaTypes() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let operatorToken = try await AdminClient.token(role: "operator", sub: "ops", secret: AdminTests.adminSecret)
        let internalToken = try nsd.dataFile("internal-token")
        let routes: [(String, String, String)] = [
            (nsd.url("gateway-node", "/api/submit"), ClientToken.make(sub: "alice"), #"{"content":"x"}"#),
            (nsd.url("ns-node", "/tx"), internalToken, "{}"),
            (nsd.url("vp-node", "/v1/dlq/retry"), operatorToken, #"{"all":true}"#),
            (nsd.url("admin-node", "/api/queue/pause"), operatorToken, "{}"),
        ]
        for (url, token, body) in routes {
            for type in ["application/jsonp", "application/json5", "application/json-patch+json", "application/json; charset=iso-8859-1"] {
                let answer = try await Fetched.post(url, body: Array(body.utf8), contentType: type, token: token)
                #expect(answer.status == 415, "\(url) \(type): \(answer.status) \(answer.body)")
                #expect(answer.headers["content-type"] == "application/problem+json", "\(url) \(type)")
            }
        }
        let paused = try await Fetched.post(nsd.url("admin-node", "/api/queue/pause"), body: Array("{}".utf8),
                                            contentType: "application/json; charset=utf-8", token: operatorToken)
        #expect(paused.status == 200, "\(paused.body)")

        let large = #"{"pad":""# + String(repeating: "x", count: 70 * 1024) + #""}"#
        let tooLarge = try await Fetched.post(nsd.url("admin-node", "/api/queue/resume"), body: Array(large.utf8), token: operatorToken)
        #expect(tooLarge.status == 413, "\(tooLarge.status) \(tooLarge.body)")
        #expect(tooLarge.headers["content-type"] == "application/problem+json")
        let notJSON = try await Fetched.post(nsd.url("admin-node", "/api/queue/resume"), body: Array("{".utf8), token: operatorToken)
        #expect(notJSON.status == 400, "a body that is not JSON is still a bad request")
        #expect(await nsd.stop() == 0)
    }

    @Test("/login shows no empty flash box; cancelling a completed job through admin /api is vp-node's 409")
    func adminMessages() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let admin = AdminClient(base: nsd.url("admin-node", ""))
        let login = try await admin.get("/login")
        #expect(login.status == 200)
        #expect(!login.body.contains(#"class="flash""#) && !login.body.contains("nil"), "\(login.body)")
        #expect(try await admin.get("/login?error=1").body.contains(#"<p class="flash">That token was not accepted."#))

        let accepted = try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "alice"), content: "finishes first")
        let id = try #require(accepted.json?["id"] as? String)
        var state: String?
        for _ in 0..<150 where state != "completed" {
            state = try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: ClientToken.make(sub: "alice")).json?["state"] as? String
            if state != "completed" { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(state == "completed")
        let operatorToken = try await AdminClient.token(role: "operator", sub: "ops", secret: AdminTests.adminSecret)
        let cancel = try await AdminClient(base: admin.base).postJSON("/api/jobs/cancel", json: #"{"id":"\#(id)"}"#, bearer: operatorToken)
        #expect(cancel.status == 409, "\(cancel.status) \(cancel.body)")
        #expect(cancel.headers["content-type"] == "application/problem+json")
        #expect((cancel.json?["detail"] as? String)?.contains("is completed; only queued or retrying jobs can be cancelled") == true, "\(cancel.body)")
        #expect(await nsd.stop() == 0)
    }
}
