import Foundation
import NSCore
import NSTestSupport
import Testing

/// A rolling rotation of the token secrets, JWT_SECRET and ADMIN_JWT_SECRET, across a split
/// deployment under steady load, in the order docs/operations.md gives: tokens signed with the old
/// secret keep working while `_PREVIOUS` is set, tokens signed with the new one work once the
/// checking nodes restarted, and once `_PREVIOUS` is dropped the old ones are refused with 401.
@Suite("rolling token secret rotation")
struct TokenSecretRotationTests {
    typealias Load = SecretRotationTests.Load
    static let oldJWT = String(repeating: "a0", count: 32)
    static let newJWT = String(repeating: "a1", count: 32)
    static let oldAdmin = String(repeating: "b0", count: 32)
    static let newAdmin = String(repeating: "b1", count: 32)

    /// A client token from the real issuer, `nsctl token create` (it names its key with `kid`, so a
    /// gateway holding two secrets picks the right one).
    static func clientToken(secret: String) async throws -> String {
        let minted = try await NSCtlRunner.run(["token", "create", "--sub", "rotation-client", "--ttl", "1h"], environment: ["JWT_SECRET": secret])
        try #require(minted.status == 0, "nsctl token create: \(minted.stderr)")
        return minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Restarts a gateway with `environment`, drained from the load's pool first, as a load balancer would.
    static func restart(_ gateway: NSDInstance, environment: [String: String], load: Load) async throws -> NSDInstance {
        try await load.drain(gateway.url("gateway-node", ""))
        #expect(await gateway.stop() == 0)
        let fresh = try await NSDInstance(roles: ["gateway"], environment: environment)
        load.add(fresh.url("gateway-node", ""))
        return fresh
    }

    static func base(redis: String, nsPort: Int) -> [String: String] {
        ["INTERNAL_TOKEN": SecretRotationTests.oldToken, "SESSION_SECRET": SecretRotationTests.oldSession, "REDIS_URL": redis,
         "RATE_LIMIT_MAX_REQUESTS": "100000", "NS_NODE_URL": "http://127.0.0.1:\(nsPort)"]
    }

    @Test("JWT_SECRET rolls gateway by gateway under load: old tokens work while JWT_SECRET_PREVIOUS is set, new ones after each restart, old ones get 401 once it is dropped")
    func jwtSecret() async throws {
        let redis = try await RedisServer()
        defer { Task { await redis.stop() } }
        let nsPort = try Tools.freePort()
        let data = try Tools.temporaryDirectory("jwt-rotation")
        let shared = Self.base(redis: redis.url, nsPort: nsPort).merging(["ADMIN_JWT_SECRET": Self.oldAdmin]) { $1 }
        let before = shared.merging(["JWT_SECRET": Self.oldJWT]) { $1 }
        let ns = try await NSDInstance(roles: ["ns"], environment: before, dataDirectory: data, nsPort: nsPort)
        let vp = try await NSDInstance(roles: ["vp"], environment: before, dataDirectory: data)
        var gateways = [try await NSDInstance(roles: ["gateway"], environment: before), try await NSDInstance(roles: ["gateway"], environment: before)]
        let oldClient = try await Self.clientToken(secret: Self.oldJWT)
        let newClient = try await Self.clientToken(secret: Self.newJWT)

        let load = Load(gateways: gateways.map { $0.url("gateway-node", "") }, token: oldClient)
        let submitting = Task { try await load.run() }
        do {
            try await Task.sleep(for: .milliseconds(300))
            // 1. Each gateway in turn: the new secret current, the old one previous. The load keeps sending the old token.
            let rolling = shared.merging(["JWT_SECRET": Self.newJWT, "JWT_SECRET_PREVIOUS": Self.oldJWT]) { $1 }
            for index in gateways.indices {
                gateways[index] = try await Self.restart(gateways[index], environment: rolling, load: load)
                let url = gateways[index].url("gateway-node", "")
                let old = try await Fetched.submit(url, token: oldClient, content: "old token, gateway \(index)")
                #expect(old.status == 202, "a token of the old JWT_SECRET still works while JWT_SECRET_PREVIOUS is set: \(old.status) \(old.body)")
                let fresh = try await Fetched.submit(url, token: newClient, content: "new token, gateway \(index)")
                #expect(fresh.status == 202, "a token signed with the new JWT_SECRET works once the gateway restarted: \(fresh.status) \(fresh.body)")
            }
            // 2. The issuer signs with the new secret: the client gets a new token.
            load.use(token: newClient)
            try await Task.sleep(for: .milliseconds(300))
            // 3. JWT_SECRET_PREVIOUS dropped, gateway by gateway: the old token is refused, the new one is not.
            let after = shared.merging(["JWT_SECRET": Self.newJWT]) { $1 }
            for index in gateways.indices {
                gateways[index] = try await Self.restart(gateways[index], environment: after, load: load)
                let stale = try await Fetched.submit(gateways[index].url("gateway-node", ""), token: oldClient, content: "old token after the rotation")
                #expect(stale.status == 401 && stale.body.contains("kid names no key"),
                        "a token of the old JWT_SECRET is refused once JWT_SECRET_PREVIOUS is gone: \(stale.status) \(stale.body)")
            }
            try await Task.sleep(for: .milliseconds(300))
        } catch {
            load.stop.store(true, ordering: .relaxed)
            _ = await submitting.result
            for instance in gateways + [vp, ns] { _ = await instance.stop() }
            throw error
        }
        try await SecretRotationTests.finish(load, submitting, gateway: gateways[0].url("gateway-node", ""), token: newClient)
        for instance in gateways + [vp, ns] { #expect(await instance.stop() == 0) }
    }

    /// What an operator token gets from vp-node's operator API directly and through admin-node's
    /// API (which verifies it, then calls vp-node with a token it signs itself), in that order.
    static func operatorAnswers(_ token: String, vp: NSDInstance, admin: NSDInstance) async throws -> [Int] {
        let direct = try await Fetched.get(vp.url("vp-node", "/v1/dlq"), token: token)
        let viaAdmin = try await AdminClient(base: admin.url("admin-node", "")).get("/api/dlq", bearer: token)
        return [direct.status, viaAdmin.status]
    }

    @Test("ADMIN_JWT_SECRET rolls vp-node, then admin-node, under load: old operator tokens work while ADMIN_JWT_SECRET_PREVIOUS is set, new ones after the restarts, old ones get 401 once it is dropped")
    func adminJWTSecret() async throws {
        let redis = try await RedisServer()
        defer { Task { await redis.stop() } }
        let nsPort = try Tools.freePort()
        // A fixed vp-node port: admin-node, not restarted with it, keeps calling the same address.
        let vpPort = try Tools.freePort()
        let data = try Tools.temporaryDirectory("admin-rotation")
        let shared = Self.base(redis: redis.url, nsPort: nsPort).merging(["JWT_SECRET": ClientToken.secret]) { $1 }
        let before = shared.merging(["ADMIN_JWT_SECRET": Self.oldAdmin]) { $1 }
        let vpArguments = ["--vp-port", String(vpPort)]
        let ns = try await NSDInstance(roles: ["ns"], environment: before, dataDirectory: data, nsPort: nsPort)
        var vp = try await NSDInstance(roles: ["vp"], environment: before, arguments: vpArguments, dataDirectory: data)
        let front = try await NSDInstance(roles: ["gateway"], environment: before)
        let peers = ["GATEWAY_URL": front.url("gateway-node", ""), "VP_URL": "http://127.0.0.1:\(vpPort)"]
        var admin = try await NSDInstance(roles: ["admin"], environment: before.merging(peers) { $1 }, dataDirectory: data)
        let oldOperator = try await AdminClient.token(role: "operator", sub: "alice", secret: Self.oldAdmin)
        let newOperator = try await AdminClient.token(role: "operator", sub: "alice", secret: Self.newAdmin)
        let clientToken = ClientToken.make(sub: "rotation-client", expiresIn: 3600)
        #expect(try await Self.operatorAnswers(oldOperator, vp: vp, admin: admin) == [200, 200])

        let load = Load(gateways: [front.url("gateway-node", "")], token: clientToken)
        let submitting = Task { try await load.run() }
        do {
            try await Task.sleep(for: .milliseconds(300))
            // 1. vp-node: the new secret current, the old one previous. admin-node still signs its calls with the old one.
            let rolling = shared.merging(["ADMIN_JWT_SECRET": Self.newAdmin, "ADMIN_JWT_SECRET_PREVIOUS": Self.oldAdmin]) { $1 }
            #expect(await vp.stop() == 0)
            vp = try await NSDInstance(roles: ["vp"], environment: rolling, arguments: vpArguments, dataDirectory: data)
            #expect(try await Self.operatorAnswers(oldOperator, vp: vp, admin: admin) == [200, 200],
                    "vp-node accepts operator tokens and admin-node's calls signed with ADMIN_JWT_SECRET_PREVIOUS")
            #expect(try await Fetched.get(vp.url("vp-node", "/v1/dlq"), token: newOperator).status == 200, "vp-node accepts the new secret")

            // 2. admin-node: it accepts both, and signs its calls to vp-node with the new one.
            #expect(await admin.stop() == 0)
            admin = try await NSDInstance(roles: ["admin"], environment: rolling.merging(peers) { $1 }, dataDirectory: data)
            #expect(try await Self.operatorAnswers(oldOperator, vp: vp, admin: admin) == [200, 200],
                    "admin-node accepts an operator token signed with ADMIN_JWT_SECRET_PREVIOUS")
            #expect(try await Self.operatorAnswers(newOperator, vp: vp, admin: admin) == [200, 200], "the new secret works on both")
            let signIn = try await AdminClient(base: admin.url("admin-node", "")).signIn(token: oldOperator)
            #expect(signIn.status == 303 && signIn.headers["location"] == "/", "sign-in with an old token while the previous secret is kept: \(signIn.headers)")

            // 3. ADMIN_JWT_SECRET_PREVIOUS dropped: vp-node, then admin-node.
            let after = shared.merging(["ADMIN_JWT_SECRET": Self.newAdmin]) { $1 }
            #expect(await vp.stop() == 0)
            vp = try await NSDInstance(roles: ["vp"], environment: after, arguments: vpArguments, dataDirectory: data)
            #expect(await admin.stop() == 0)
            admin = try await NSDInstance(roles: ["admin"], environment: after.merging(peers) { $1 }, dataDirectory: data)
            #expect(try await Self.operatorAnswers(oldOperator, vp: vp, admin: admin) == [401, 401],
                    "operator tokens of the old ADMIN_JWT_SECRET are refused once the previous secret is gone")
            let refused = try await AdminClient(base: admin.url("admin-node", "")).signIn(token: oldOperator)
            #expect(refused.status == 303 && refused.headers["location"] == "/login?error=1", "sign-in with an old token is refused: \(refused.headers)")
            #expect(try await Self.operatorAnswers(newOperator, vp: vp, admin: admin) == [200, 200])
            try await Task.sleep(for: .milliseconds(300))
        } catch {
            load.stop.store(true, ordering: .relaxed)
            _ = await submitting.result
            for instance in [front, admin, vp, ns] { _ = await instance.stop() }
            throw error
        }
        try await SecretRotationTests.finish(load, submitting, gateway: front.url("gateway-node", ""), token: clientToken)
        for instance in [front, admin, vp, ns] { #expect(await instance.stop() == 0) }
    }
}
