import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import JWTKit
import NSCore
import NSNodes
import NSQueue
import NSTestSupport

/// A gateway built as `nsd` builds it, on a real SQLite queue file in a fresh folder. ns-node is
/// an address nobody listens on unless a test passes one.
struct GatewayFixture {
    static let secret = Secret(String(repeating: "c0ffee", count: 8))
    static let previousSecret = Secret(String(repeating: "beef", count: 10))

    let settings: DaemonSettings
    let database: NodeDatabase
    let queue: SQLiteJobQueue
    let limiter: any RateLimiter
    let nsNode: PeerAddress

    init(environment: [String: String] = [:], limiter: (any RateLimiter)? = nil, queueDirectory: String? = nil,
         nsNode: PeerAddress = PeerAddress(url: URL(string: "http://127.0.0.1:9")!)) throws {
        let directory = try queueDirectory ?? Tools.temporaryDirectory("gateway")
        var env = ["RATE_LIMIT_MAX_REQUESTS": "10000"]
        env.merge(environment) { $1 }
        var settings = try DaemonSettings.load(roles: [.gateway], dataDirectory: directory, source: ConfigurationSource(environment: env))
        settings.jwtSecret = Self.secret
        settings.jwtSecretPrevious = Self.previousSecret
        self.settings = settings
        var migrator = DatabaseMigrator.node("vp-node")
        SQLiteQueueSchema.register(in: &migrator)
        database = try NodeDatabase(path: (directory as NSString).appendingPathComponent("queue.db"), variable: "test", migrator: migrator)
        queue = SQLiteJobQueue(pool: database.pool)
        self.limiter = limiter ?? LocalRateLimiter(limit: settings.rateLimitMaxRequests, window: settings.rateLimitWindow)
        self.nsNode = nsNode
    }

    func app(queue override: (any JobQueue)? = nil) async -> some ApplicationProtocol {
        makeNodeApp(blueprint: await blueprint(queue: override))
    }

    func blueprint(queue override: (any JobQueue)? = nil) async -> NodeBlueprint {
        let verifier = await TokenVerifier(current: Self.secret, previous: Self.previousSecret)
        let nsCheck = DependencyCheck(name: "ns-node") { _ in }
        let parts = GatewayNode.Parts(queue: override ?? queue, queueCheck: QueueStoreCheck.make(queue: override ?? queue, backend: "sqlite"),
                                      rateLimiter: limiter, verifier: verifier, nsNode: nsNode, nsNodeCheck: nsCheck)
        return GatewayNode.blueprint(parts, settings: settings, internalErrors: nil)
    }

    /// A token signed by jwt-kit with the current secret (or `secret`), carrying its `kid`.
    static func token(sub: String? = "alice", role: String? = nil, expiresIn: TimeInterval? = 600, notBefore: Date? = nil,
                      issuedAt: Date? = nil, secret: Secret = secret, kid: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(secret.reveal().utf8)), digestAlgorithm: .sha256)
        // Built field by field (not with TokenMinter) so tests can leave out exp or sub.
        let claims = TokenClaims(sub: sub, exp: expiresIn.map { Date().addingTimeInterval($0) }, nbf: notBefore, iat: issuedAt, role: role)
        var header = JWTHeader()
        header.kid = kid ?? TokenKeyID.of(secret)
        return try await keys.sign(claims, header: header)
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }

    static func json(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }
}

extension TestResponse {
    var problem: ProblemDetails? {
        try? JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: body))
    }

    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
    }
}
