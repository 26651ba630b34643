import Foundation
import NSCore
import NSTestSupport
import Synchronization
import Testing

/// A rolling rotation of INTERNAL_TOKEN and SESSION_SECRET across a split deployment (gateway,
/// ns-node, vp-node and admin-node in four nsd processes, the queue in Redis) under steady load,
/// in the order docs/operations.md gives: ns-node first with the new token as current and the old
/// as previous, then its callers, then admin-node with the new session secret.
@Suite("rolling secret rotation")
struct SecretRotationTests {
    static let oldToken = String(repeating: "70", count: 32)
    static let newToken = String(repeating: "71", count: 32)
    static let oldSession = String(repeating: "50", count: 32)
    static let newSession = String(repeating: "51", count: 32)
    static let adminSecret = String(repeating: "ad", count: 32)

    /// Submits one artifact after another until `stop` is set, to the gateways of a pool as a load
    /// balancer would (round robin), with the token the client holds; every answer is kept.
    final class Load: Sendable {
        let answers = Mutex<[(status: Int, id: String?)]>([])
        let stop = Atomic<Bool>(false)
        /// The pool, the token sent, and the gateway a request is on its way to.
        private let route: Mutex<(gateways: [String], token: String, sending: String?)>

        init(gateways: [String], token: String) {
            route = Mutex((gateways, token, nil))
        }

        func run() async throws {
            var index = 0
            while !stop.load(ordering: .relaxed) {
                let (gateway, token) = route.withLock { route -> (String?, String) in
                    route.sending = route.gateways.isEmpty ? nil : route.gateways[index % route.gateways.count]
                    return (route.sending, route.token)
                }
                if let gateway {
                    let answer = try await Fetched.submit(gateway, token: token, content: "submitted during the rotation \(index)")
                    route.withLock { $0.sending = nil }
                    answers.withLock { $0.append((answer.status, answer.json?["id"] as? String)) }
                    index += 1
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        /// Takes `gateway` out of the pool, as a load balancer drains a node before it restarts;
        /// returns once no request is on its way there.
        func drain(_ gateway: String) async throws {
            route.withLock { $0.gateways.removeAll { $0 == gateway } }
            while route.withLock({ $0.sending == gateway }) { try await Task.sleep(for: .milliseconds(5)) }
        }

        func add(_ gateway: String) { route.withLock { $0.gateways.append(gateway) } }

        /// The client now holds `token` (its issuer signs with a rotated secret).
        func use(token: String) { route.withLock { $0.token = token } }

        var ids: [String] { answers.withLock { $0.compactMap(\.id) } }
    }

    /// The jobs among `ids` not committed in the ledger within `seconds` (the gateway's status
    /// answers from the ledger); every id is asked again each round, so a refused one fails fast.
    /// Stops the load and checks that it ran through the rotation with every submission accepted and committed.
    static func finish(_ load: Load, _ submitting: Task<Void, any Error>, gateway: String, token: String) async throws {
        load.stop.store(true, ordering: .relaxed)
        try await submitting.value
        let answers = load.answers.withLock { $0 }
        #expect(answers.count >= 20, "steady load through the rotation: \(answers.count) submissions")
        #expect(answers.allSatisfy { $0.status == 202 }, "no submission refused: \(answers.map(\.status).filter { $0 != 202 })")
        let uncommitted = try await uncommitted(gateway, ids: load.ids, token: token, within: 60)
        #expect(uncommitted.isEmpty && load.ids.count == answers.count, "every accepted submission committed; not: \(uncommitted)")
    }

    static func uncommitted(_ gateway: String, ids: [String], token: String, within seconds: Int = 30) async throws -> [String] {
        var waiting = ids
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !waiting.isEmpty && ContinuousClock.now < deadline {
            var still: [String] = []
            for id in waiting {
                let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token)
                if (status.json?["ledger"] as? [String: Any])?["status"] as? String != "committed" { still.append(id) }
            }
            waiting = still
            if !waiting.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        return waiting
    }

    @Test("INTERNAL_TOKEN and SESSION_SECRET roll node by node while submissions continue: none refused, all committed, sessions survive")
    func rollingRotation() async throws {
        let redis = try await RedisServer()
        defer { Task { await redis.stop() } }
        let nsPort = try Tools.freePort()
        let data = try Tools.temporaryDirectory("rotation")
        let shared = ["JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": Self.adminSecret, "REDIS_URL": redis.url,
                      "RATE_LIMIT_MAX_REQUESTS": "100000", "NS_NODE_URL": "http://127.0.0.1:\(nsPort)", "AUDIT_ANCHOR_INTERVAL_MS": "200"]
        let before = shared.merging(["INTERNAL_TOKEN": Self.oldToken, "SESSION_SECRET": Self.oldSession]) { $1 }
        // One data folder: in development ns-node's validator set is vp-node's key kept there.
        var ns = try await NSDInstance(roles: ["ns"], environment: before, dataDirectory: data, nsPort: nsPort)
        var vp = try await NSDInstance(roles: ["vp"], environment: before, dataDirectory: data)
        let front = try await NSDInstance(roles: ["gateway"], environment: before)
        let gateway = front.url("gateway-node", "")
        // admin-node's pages read the gateway and vp-node at these addresses.
        let peers = { (vp: NSDInstance) in ["GATEWAY_URL": gateway, "VP_URL": vp.url("vp-node", "")] }
        var admin = try await NSDInstance(roles: ["admin"], environment: before.merging(peers(vp)) { $1 }, dataDirectory: data)
        let token = ClientToken.make(sub: "rotation-client", expiresIn: 3600)

        let browser = AdminClient(base: admin.url("admin-node", ""))
        #expect(try await browser.signIn(token: try await AdminClient.token(role: "operator", sub: "alice", secret: Self.adminSecret)).status == 303)
        let sessionBefore = try #require(browser.cookie)
        #expect(try await browser.get("/").status == 200)

        let load = Load(gateways: [gateway], token: token)
        let submitting = Task { try await load.run() }
        do {
            try await Task.sleep(for: .milliseconds(500))
            // 1. ns-node: the new token is current, the old one still accepted.
            #expect(await ns.stop() == 0)
            let rolling = shared.merging(["INTERNAL_TOKEN": Self.newToken, "INTERNAL_TOKEN_PREVIOUS": Self.oldToken,
                                          "SESSION_SECRET": Self.newSession, "SESSION_SECRET_PREVIOUS": Self.oldSession]) { $1 }
            ns = try await NSDInstance(roles: ["ns"], environment: rolling, dataDirectory: data, nsPort: nsPort)
            // vp-node still sends the old token: a job submitted now commits only if ns-node takes it.
            let afterNS = try #require(try await Fetched.submit(gateway, token: token, content: "after ns-node rolled").json?["id"] as? String)
            try #require(try await Self.uncommitted(gateway, ids: [afterNS], token: token).isEmpty, "ns-node accepts INTERNAL_TOKEN_PREVIOUS from vp-node")

            // 2. Its callers send the new token: vp-node, then admin-node (which also takes the new session secret).
            #expect(await vp.stop() == 0)
            vp = try await NSDInstance(roles: ["vp"], environment: rolling, dataDirectory: data)
            let afterVP = try #require(try await Fetched.submit(gateway, token: token, content: "after vp-node rolled").json?["id"] as? String)
            try #require(try await Self.uncommitted(gateway, ids: [afterVP], token: token).isEmpty, "ns-node accepts the new token from vp-node")
            #expect(await admin.stop() == 0)
            admin = try await NSDInstance(roles: ["admin"], environment: rolling.merging(peers(vp)) { $1 }, dataDirectory: data)

            let returning = AdminClient(base: admin.url("admin-node", ""))
            returning.cookie = sessionBefore
            let page = try await returning.get("/")
            #expect(page.status == 200, "a session cookie from before the rotation still works: \(page.status) \(page.headers)")
            let fresh = AdminClient(base: admin.url("admin-node", ""))
            #expect(try await fresh.signIn(token: try await AdminClient.token(role: "operator", sub: "bob", secret: Self.adminSecret)).status == 303)
            #expect(try await fresh.get("/").status == 200, "a new session is signed with the new secret")
            try await Task.sleep(for: .milliseconds(500))
        } catch {
            load.stop.store(true, ordering: .relaxed)
            _ = await submitting.result
            for instance in [ns, vp, admin, front] { _ = await instance.stop() }
            throw error
        }
        try await Self.finish(load, submitting, gateway: gateway, token: token)
        for instance in [front, admin, vp, ns] { #expect(await instance.stop() == 0) }
    }
}
