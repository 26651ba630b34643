import Foundation
import Logging

/// Everything `nsd` reads at start-up, resolved and validated once.
///
/// Names and defaults are the seeds' (`../shared/seeds`); a few operational settings are added
/// (per-role ports, `HOST`, `LOG_FILE`, `SHUTDOWN_TIMEOUT_MS`, `HEALTH_CHECK_TIMEOUT_MS`).
/// ``load(roles:dataDirectory:source:)`` either returns settings that are safe to run with or
/// throws the first ``ConfigurationError``.
public struct DaemonSettings: Sendable {
    /// `NODE_ENV`: production turns warnings about weak settings into refusals.
    public enum Mode: String, Sendable, CaseIterable {
        case development, production, test
    }

    public var mode: Mode
    /// The roles this process hosts, in start-up order.
    public var roles: [NodeRole]
    public var host: String
    public var ports: [NodeRole: Int]
    public var dataDirectory: String
    /// `NS_NODE_URL` when set: one ns-node, or several (comma-separated) that callers fail over
    /// across in this order; otherwise callers reach the ns-node hosted in this process, or the default.
    public var nsNodeURLs: [URL]?
    /// `GATEWAY_URL` and `VP_URL`: where admin-node reaches those nodes when they run in other
    /// processes (the same names nsctl reads).
    public var gatewayURL: URL?
    public var vpNodeURL: URL?
    public var redisURL: URL?
    /// `REDIS_MIN_REPLICAS`, `REDIS_WAIT_TIMEOUT_MS`: replicas that must hold a queue write
    /// before it is reported (only with a Redis queue).
    public var redisReplication = RedisReplicationSettings()
    /// `REDIS_SENTINELS` and its companions: the master is found through Sentinel, and
    /// ``redisURL`` (when set) only supplies its credentials and database.
    public var redisSentinel: RedisSentinelSettings?
    public var jwtSecret: Secret?
    public var jwtSecretPrevious: Secret?
    public var adminJWTSecret: Secret?
    /// `ADMIN_JWT_SECRET_PREVIOUS`: during a rotation admin-node and vp-node's operator API also
    /// accept operator tokens signed with it (chosen by `kid`, as for `JWT_SECRET_PREVIOUS`).
    public var adminJWTSecretPrevious: Secret?
    public var sessionSecret: Secret?
    /// `SESSION_SECRET_PREVIOUS`: during a rotation admin-node also accepts session cookies
    /// signed with it (and signs new ones with `SESSION_SECRET` only).
    public var sessionSecretPrevious: Secret?
    /// `JWT_MAX_TTL`: the longest lifetime (`exp - iat`) of a token the gateway, vp-node's
    /// operator API and admin-node accept.
    public var tokenMaxLifetime: Duration = TokenLifetime.defaultMaximum
    /// `INTERNAL_TOKEN`: the bearer token on node-to-node calls; `nil` in development means
    /// "the token kept in the data folder", so processes sharing a data folder agree.
    public var internalToken: Secret?
    /// `INTERNAL_TOKEN_PREVIOUS`: during a rotation ns-node also accepts it on its internal
    /// routes, so callers not yet restarted with the new token are not refused.
    public var internalTokenPrevious: Secret?
    public var rateLimitWindow: Duration
    public var rateLimitMaxRequests: Int
    public var enableCORS: Bool
    public var corsOrigins: [String]
    public var nsCheckRetries: Int
    public var nsCheckExitOnFail: Bool
    public var jobQueueWorkers: Int
    /// `JOB_LEASE_BATCH`: jobs a vp-node worker leases in one call and works on together.
    public var jobLeaseBatch: Int
    public var jobTimeout: Duration
    public var jobMaxRetries: Int
    /// `JOB_RETENTION_MS`: how long completed and cancelled jobs stay in the queue after they
    /// finish (the ledger answers for a completed job after that); 0 deletes them as they finish.
    public var jobRetention: Duration
    public var sandboxTimeout: Duration
    public var sandboxMaxMemoryMB: Int
    /// `SANDBOX_RUNTIMES`: the languages the code sandbox runs, and with what.
    public var sandboxRuntimes: [SandboxRuntime]
    /// `SANDBOX_ISOLATION`, `SANDBOX_SCRATCH_MB`, `SANDBOX_UID_BASE`: how snippets are shut off
    /// from the host and from each other (see ``SandboxIsolationSetting``).
    public var sandboxIsolation: SandboxIsolationSetting
    public var sandboxScratchMB: Int
    public var sandboxUIDBase: Int
    /// `SANITIZER_MAX_CHARS`: longest sanitised preview, in grapheme clusters (at most the
    /// ledger's 5,000-character preview limit).
    public var sanitizerMaxChars: Int
    /// `LEDGER_PREVIEW`, `LEDGER_SUBMITTER`, `LEDGER_SUBMITTER_KEY`: what transactions publish of
    /// the user's text and identity (read by vp-node and the gateway only).
    public var ledgerPrivacy = LedgerPrivacySettings()
    public var ledgerDatabasePath: String
    /// `DATABASE_URL` (or `_FILE`): when set, ns-node keeps its ledger in this PostgreSQL
    /// database instead of the SQLite file at ``ledgerDatabasePath``.
    public var database: DatabaseURL?
    /// `DATABASE_TIMEOUT_MS`: the deadline of every call to that database, and of `/health`'s probe of it.
    public var databaseTimeout: Duration = .milliseconds(DaemonSettings.defaultDatabaseTimeoutMs)
    public var enableMetrics: Bool
    public var logLevel: Logger.Level
    public var logFile: String?
    /// `AUDIT_ANCHOR_INTERVAL_MS`: how often admin-node anchors a new audit head in the ledger,
    /// so the longest a new audit entry goes unanchored while ns-node answers.
    public var auditAnchorInterval: Duration = .milliseconds(DaemonSettings.defaultAuditAnchorIntervalMs)
    public var shutdownTimeout: Duration
    public var healthCheckTimeout: Duration
    public var ledger: LedgerSettings
    public var gateway: GatewaySettings
    /// The witness's key, name and logs; set exactly when the process hosts the witness.
    public var witness: WitnessSettings?
    /// Which nodes serve HTTPS and with what, and what https calls trust (``TLSSettings``).
    public var tls = TLSSettings()
    /// Start-up facts worth a log line, such as a generated development secret (never its value).
    public var notices: [String] = []

    /// One hour: long enough for a client polling its submission to see it finish; after it the
    /// ledger answers for a completed job by its id. The queue's sizing (docs/queue.md) assumes it.
    public static let defaultJobRetentionMs = 3_600_000

    /// One minute: the longest a new audit entry waits for its anchor (docs/admin.md).
    public static let defaultAuditAnchorIntervalMs = 60_000

    /// Whether the job queue is in Redis (`REDIS_URL` or `REDIS_SENTINELS`) rather than SQLite.
    public var usesRedis: Bool { redisURL != nil || redisSentinel != nil }

    /// The files under ``dataDirectory``.
    public var layout: DataLayout { DataLayout(dataDirectory: dataDirectory) }

    /// The folder holding `role`'s state.
    public func dataFolder(for role: NodeRole) -> String? {
        role.dataFolder.map(layout.folder)
    }

    /// Path of the SQLite job queue shared by gateway and vp-node on one host.
    public var queueDatabasePath: String {
        layout.queueDatabase
    }

    /// Path of admin-node's own database (audit trail, sessions).
    public var adminDatabasePath: String {
        layout.adminDatabase
    }

    public static func load(roles: Set<NodeRole>, dataDirectory: String? = nil, source: ConfigurationSource) throws(ConfigurationError) -> DaemonSettings {
        guard !roles.isEmpty else {
            throw ConfigurationError(variable: "--role", problem: "names no node", fix: "pass --role gateway, ns, vp, admin or witness, or omit it to run all four")
        }
        let ordered = roles.sorted()
        let mode = Mode(rawValue: try source.choice("NODE_ENV", default: "development", among: Mode.allCases.map(\.rawValue)))!  // choice() returns one of the listed raw values
        let dataDirectory = dataDirectory ?? source.string("DATA_DIR") ?? DataLayout.defaultDirectory
        let windowMs = try source.integer(["RATE_LIMIT_WINDOW_MS"], default: 60_000, range: 1...86_400_000)
        let placement = try loadSandboxPlacement(source: source)
        var settings = DaemonSettings(
            mode: mode,
            roles: ordered,
            host: source.string("HOST") ?? "0.0.0.0",
            ports: try Self.ports(for: ordered, source: source),
            dataDirectory: dataDirectory,
            nsNodeURLs: try source.urls("NS_NODE_URL", schemes: ["http", "https"]),
            gatewayURL: try source.url("GATEWAY_URL", schemes: ["http", "https"]),
            vpNodeURL: try source.url("VP_URL", schemes: ["http", "https"]),
            redisURL: try source.url("REDIS_URL", schemes: ["redis", "rediss"]),
            rateLimitWindow: .milliseconds(windowMs),
            rateLimitMaxRequests: try source.integer(["RATE_LIMIT_MAX_REQUESTS"], default: 100, range: 1...10_000_000),
            enableCORS: try source.boolean("ENABLE_CORS", default: true),
            corsOrigins: (source.string("CORS_ORIGIN") ?? "*").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            nsCheckRetries: try source.integer(["NS_CHECK_RETRIES"], default: 5, range: 0...1_000),
            nsCheckExitOnFail: try source.boolean("NS_CHECK_EXIT_ON_FAIL", default: false),
            jobQueueWorkers: try source.integer(["JOB_QUEUE_WORKERS"], default: 10, range: 1...1_000),
            jobLeaseBatch: try source.integer(["JOB_LEASE_BATCH"], default: 32, range: 1...1_000),
            jobTimeout: try source.milliseconds("JOB_TIMEOUT_MS", default: 60_000, range: 100...86_400_000),
            jobMaxRetries: try source.integer(["JOB_MAX_RETRIES"], default: 3, range: 1...100),
            jobRetention: try source.milliseconds("JOB_RETENTION_MS", default: Self.defaultJobRetentionMs, range: 0...2_592_000_000),
            sandboxTimeout: try source.milliseconds("SANDBOX_TIMEOUT_MS", default: 5_000, range: 10...3_600_000),
            sandboxMaxMemoryMB: try source.integer(["SANDBOX_MAX_MEMORY_MB"], default: 128, range: 8...65_536),
            sandboxRuntimes: try SandboxRuntime.load(source: source),
            sandboxIsolation: placement.isolation,
            sandboxScratchMB: placement.scratchMB,
            sandboxUIDBase: placement.uidBase,
            sanitizerMaxChars: try source.integer(["SANITIZER_MAX_CHARS"], default: 5_000, range: 1...LedgerTransaction.maxPreviewCharacters),
            ledgerDatabasePath: source.string("DB_PATH") ?? DataLayout(dataDirectory: dataDirectory).ledgerDatabase,
            enableMetrics: try source.boolean("ENABLE_METRICS", default: true),
            logLevel: try Self.logLevel(source),
            logFile: source.string("LOG_FILE"),
            shutdownTimeout: try source.milliseconds("SHUTDOWN_TIMEOUT_MS", default: 10_000, range: 0...600_000),
            healthCheckTimeout: try source.milliseconds("HEALTH_CHECK_TIMEOUT_MS", default: 3_000, range: 10...60_000),
            ledger: try LedgerSettings.load(roles: ordered, mode: mode, source: source),
            gateway: try GatewaySettings.load(source: source)
        )
        try settings.loadSecrets(source: source)
        try settings.loadDatabase(source: source)
        settings.tls = try TLSSettings.load(roles: ordered, source: source)
        settings.redisReplication = try RedisReplicationSettings.load(source: source)
        settings.redisSentinel = try RedisSentinelSettings.load(source: source)
        if settings.redisSentinel != nil && settings.redisURL != nil {
            settings.notices.append("REDIS_SENTINELS is set: the Redis master is found through Sentinel; REDIS_URL supplies only its user, password and database")
        }
        _ = try Self.secretMaxAgeDays(source: source)
        if ordered.contains(.witness) { settings.witness = try WitnessSettings.load(source: source) }
        if ordered.contains(.admin) {
            settings.auditAnchorInterval = try source.milliseconds("AUDIT_ANCHOR_INTERVAL_MS", default: Self.defaultAuditAnchorIntervalMs, range: 100...Self.defaultAuditAnchorIntervalMs)
        }
        settings.tokenMaxLifetime = try source.tokenMaxLifetime()
        try settings.checkCORS()
        try settings.loadLedgerPrivacy(source: source)
        return settings
    }

    private static func ports(for roles: [NodeRole], source: ConfigurationSource) throws(ConfigurationError) -> [NodeRole: Int] {
        var ports: [NodeRole: Int] = [:]
        for role in roles {
            // PORT is the seeds' single-node variable; it applies only when one role runs.
            let names = roles.count == 1 ? ["PORT", role.portVariable] : [role.portVariable]
            ports[role] = try source.integer(names, default: role.defaultPort, range: 0...65_535)
        }
        let bound = ports.values.filter { $0 != 0 }
        if Set(bound).count != bound.count {
            throw ConfigurationError(variable: "PORT", problem: "gives two nodes the same port", fix: "set distinct GATEWAY_PORT, NS_PORT, VP_PORT and ADMIN_PORT values")
        }
        return ports
    }

    private static func logLevel(_ source: ConfigurationSource) throws(ConfigurationError) -> Logger.Level {
        let name = try source.choice("LOG_LEVEL", default: "info", among: ["trace", "debug", "info", "notice", "warn", "warning", "error", "critical"])
        return name == "warn" ? .warning : Logger.Level(rawValue: name)!  // every listed name but "warn" is a Logger.Level raw value
    }

    private func checkCORS() throws(ConfigurationError) {
        guard roles.contains(.gateway), enableCORS, mode == .production, corsOrigins.contains("*") else { return }
        throw ConfigurationError(variable: "CORS_ORIGIN", problem: "is the wildcard '*' while NODE_ENV=production", fix: "list the allowed origins, e.g. CORS_ORIGIN=https://app.example.com, or set ENABLE_CORS=false")
    }
}
