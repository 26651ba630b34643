import Foundation
import GRDB
import Hummingbird
import Logging
import NSCore
import NSLedger
import NSQueue
import ServiceLifecycle

/// Assembles the services one `nsd` process runs for its roles: each node's database, then each
/// node's HTTP application, in the order the ServiceGroup must start them (and stop them in reverse).
public struct NodeHost {
    public let settings: DaemonSettings
    /// Makes the logger for a service name (`ns-node`, `nsd`, ...).
    public let makeLogger: @Sendable (String) -> Logger

    public init(settings: DaemonSettings, makeLogger: @escaping @Sendable (String) -> Logger) {
        self.settings = settings
        self.makeLogger = makeLogger
    }

    /// Opens the stores and builds every service. Throws only ``ConfigurationError``s (an unusable
    /// data directory or database path), before anything listens.
    public func services() async throws(ConfigurationError) -> [any Service] {
        let roles = settings.roles
        var services: [any Service] = []
        func open(_ path: String, variable: String, owner: NodeRole, writerCacheMiB: Int? = nil,
                  schema: (inout DatabaseMigrator) -> Void = { _ in }) throws(ConfigurationError) -> NodeDatabase {
            var migrator = DatabaseMigrator.node(owner.serviceName)
            schema(&migrator)
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try VolumeLock.hold(folder: folder.isEmpty ? "." : folder)
            } catch {
                throw ConfigurationError(variable: variable, problem: "names \(path), whose folder cannot be locked (\(error.problem))",
                                         fix: "point it at a writable local file system")
            }
            let database = try NodeDatabase(path: path, variable: variable, migrator: migrator, writerCacheMiB: writerCacheMiB)
            services.append(DatabaseCloser(database: database, logger: makeLogger(owner.serviceName)))
            return database
        }
        let keys = DevelopmentKeys(settings: settings, logger: makeLogger("nsd"))
        let internalToken = try keys.internalToken()
        var ledger: (database: NodeDatabase, store: LedgerStore)?
        if roles.contains(.ns) {
            let database = try open(settings.ledgerDatabasePath, variable: "DB_PATH", owner: .ns, writerCacheMiB: 64, schema: LedgerSchema.register)
            let checkpointKey = try keys.checkpointKey()
            let store = try Self.openLedger(database, settings: settings, checkpointKey: checkpointKey, validators: try keys.genesisValidators())
            ledger = (database, store)
            let checkpointPublicKey = checkpointKey.publicKey.base64
            let logSize = (try? store.reader.logSize()) ?? 0
            makeLogger(NodeRole.ns.serviceName).info("ledger ready", metadata: [
                "origin": .string(settings.ledger.origin),
                "checkpointPublicKey": .string(checkpointPublicKey),
                "logSize": .stringConvertible(logSize),
            ])
        }
        let metrics = Dictionary(uniqueKeysWithValues: roles.map { ($0, NodeMetrics(node: $0.serviceName)) })
        // The queue lives in Redis when REDIS_URL is set (gateways and vp-nodes on several hosts
        // share it), else in SQLite under vp-node-data (one host).
        let redis = try settings.redisURL.map { url throws(ConfigurationError) in try Self.redisClient(url) }
        let usesSQLiteQueue = redis == nil && (roles.contains(.vp) || roles.contains(.gateway))
        let queue = usesSQLiteQueue ? try open(settings.queueDatabasePath, variable: "--data-dir", owner: .vp, schema: SQLiteQueueSchema.register) : nil
        // One queue object per store in this process, so gateway and vp-node share its committer.
        let queueMetrics = (metrics[.vp] ?? metrics[.gateway]).map { QueueMetrics(factory: $0.factory) }
        let queueDefaults = JobQueueDefaults(maxAttempts: settings.jobMaxRetries, timeout: settings.jobTimeout, retention: settings.jobRetention)
        let sharedQueue: (any JobQueue)?
        if let redis {
            sharedQueue = RedisJobQueue(client: redis, defaults: queueDefaults, metrics: queueMetrics, logger: makeLogger(NodeRole.vp.serviceName))
        } else {
            sharedQueue = queue.map { SQLiteJobQueue(pool: $0.pool, defaults: queueDefaults, metrics: queueMetrics, logger: makeLogger(NodeRole.vp.serviceName)) }
        }
        let admin = roles.contains(.admin) ? try open(settings.adminDatabasePath, variable: "--data-dir", owner: .admin, schema: AdminSchema.register) : nil

        let nsAddress: PeerAddress
        if let configured = settings.nsNodeURL {
            nsAddress = PeerAddress(url: configured)
        } else if roles.contains(.ns) {
            nsAddress = PeerAddress()
        } else {
            nsAddress = PeerAddress(url: DaemonSettings.defaultNSNodeURL)
        }
        // Peers admin-node calls: in-process nodes are reached on the port they bind; others at
        // GATEWAY_URL / VP_URL, or the seeds' ports on localhost.
        func peer(_ role: NodeRole, configured: URL?) -> PeerAddress {
            if let configured { return PeerAddress(url: configured) }
            if roles.contains(role) { return PeerAddress() }
            return PeerAddress(url: URL(string: "http://localhost:\(role.defaultPort)")!)  // a literal with a port number: always valid
        }
        let gatewayAddress = peer(.gateway, configured: settings.gatewayURL)
        let vpAddress = peer(.vp, configured: settings.vpNodeURL)
        let nsCheck = NSNodeCheck.make(address: nsAddress, client: .nodeFailingFast, timeout: settings.healthCheckTimeout)
        let queueCheck = sharedQueue.map { QueueStoreCheck.make(queue: $0, backend: redis == nil ? "sqlite" : "redis", gauges: queueMetrics) }

        for role in roles {
            let metrics = metrics[role]!  // made above for every role
            let blueprint: NodeBlueprint
            switch role {
            case .ns:
                let (database, store) = ledger!  // opened above whenever .ns is a role
                blueprint = LedgerNode.blueprint(database: database, store: store, internalToken: internalToken, metrics: metrics)
            case .vp:  // the shared queue was made above whenever .vp is a role
                let adminSecret = try keys.adminJWTSecret()
                let sandbox = try await CodeSandbox.forDaemon(settings: settings)
                let readiness = SandboxReadiness(sandbox: sandbox)
                let proof = await readiness.refresh()
                makeLogger(role.serviceName).info("code sandbox ready", metadata: [
                    "isolation": .string(sandbox.isolation.summary),
                    "languages": .string(proof.ready.joined(separator: ",")),
                ])
                for (language, problem) in proof.failing.sorted(by: { $0.key < $1.key }) {
                    makeLogger(role.serviceName).warning("a sandbox runtime cannot run; its code jobs will fail and be retried", metadata: [
                        "language": .string(language), "reason": .string(problem),
                    ])
                }
                blueprint = ProducerNode.blueprint(queue: sharedQueue!, queueCheck: queueCheck!, metrics: metrics, queueMetrics: queueMetrics!,
                                                   nsNode: nsCheck, nsAddress: nsAddress, sandbox: readiness,
                                                   operatorTokens: await TokenVerifier(current: adminSecret, previous: nil, holder: .vpNode,
                                                                                       maxLifetime: settings.tokenMaxLifetime),
                                                   logger: makeLogger(role.serviceName))
                services.append(ProducerNode.workers(queue: sharedQueue!, nsNode: nsAddress, token: internalToken, count: settings.jobQueueWorkers,
                                                     batch: settings.jobLeaseBatch,
                                                     sanitizerMaxChars: settings.sanitizerMaxChars, sandbox: sandbox, metrics: metrics,
                                                     queueMetrics: queueMetrics, logger: makeLogger(role.serviceName)))
                services.append(ProducerNode.blockProducer(nsNode: nsAddress, token: internalToken, key: try keys.producerKey(),
                                                           settings: settings.ledger, metrics: metrics, logger: makeLogger(role.serviceName)))
            case .gateway:  // the shared queue and its check were made above whenever .gateway is a role
                let parts = try await gatewayParts(queue: sharedQueue!, queueCheck: queueCheck!, redis: redis, nsAddress: nsAddress, nsCheck: nsCheck,
                                                   secret: try keys.jwtSecret())
                blueprint = GatewayNode.blueprint(parts, settings: settings)
                services.append(NSNodeStartupCheck(check: nsCheck, retries: settings.nsCheckRetries, exitOnFail: settings.nsCheckExitOnFail,
                                                   logger: makeLogger(role.serviceName)))
            case .admin:
                let adminSecret = try keys.adminJWTSecret()
                let sessionSecret = try keys.sessionSecret()
                blueprint = await AdminNode.blueprint(
                    database: admin!,  // opened above whenever .admin is a role
                    settings: .init(adminSecret: adminSecret, sessionSecret: sessionSecret, internalToken: internalToken,
                                    secureCookies: settings.mode == .production, trustedProxies: settings.gateway.trustedProxies,
                                    tokenMaxLifetime: settings.tokenMaxLifetime),
                    gateway: gatewayAddress, nsNode: nsAddress, vpNode: vpAddress)
                // admin: opened above whenever .admin is a role
                services.append(AuditAnchorService(pool: admin!.pool, nsNode: nsAddress, internalToken: internalToken,
                                                   interval: settings.auditAnchorInterval, metrics: metrics, logger: makeLogger(role.serviceName)))
            }
            let bound: PeerAddress? = switch role {
            case .ns: settings.nsNodeURL == nil ? nsAddress : nil
            case .gateway: settings.gatewayURL == nil ? gatewayAddress : nil
            case .vp: settings.vpNodeURL == nil ? vpAddress : nil
            case .admin: nil
            }
            services.append(application(for: role, blueprint: blueprint, metrics: metrics, onBound: bound))
        }
        return services
    }

    /// The gateway's queue (Redis when configured, else the shared SQLite queue), its rate limiter
    /// (shared through Redis when configured) and its token verifier.
    private func gatewayParts(queue: any JobQueue, queueCheck: DependencyCheck, redis: RedisClient?, nsAddress: PeerAddress,
                              nsCheck: DependencyCheck, secret: Secret) async throws(ConfigurationError) -> GatewayNode.Parts {
        let logger = makeLogger(NodeRole.gateway.serviceName)
        let rateLimiter: any RateLimiter
        if let redis {
            rateLimiter = RedisRateLimiter(client: redis, limit: settings.rateLimitMaxRequests, window: settings.rateLimitWindow, logger: logger)
        } else {
            rateLimiter = LocalRateLimiter(limit: settings.rateLimitMaxRequests, window: settings.rateLimitWindow)
        }
        return GatewayNode.Parts(queue: queue, queueCheck: queueCheck, rateLimiter: rateLimiter,
                                 verifier: await TokenVerifier(current: secret, previous: settings.jwtSecretPrevious, holder: .gateway,
                                                               maxLifetime: settings.tokenMaxLifetime),
                                 nsNode: nsAddress, nsNodeCheck: nsCheck)
    }

    /// nsd's Redis client. Commands take milliseconds on a healthy Redis; the short limits make a
    /// Redis that stopped answering (shutting down, overloaded) a quick 503 at the gateway rather
    /// than a request that hangs for seconds.
    private static func redisClient(_ url: URL) throws(ConfigurationError) -> RedisClient {
        do throws(RedisError) {
            return RedisClient(configuration: try RedisConfiguration(url: url, connectTimeout: .seconds(1), commandTimeout: .milliseconds(1_500)))
        } catch {
            throw ConfigurationError(variable: "REDIS_URL", problem: "is not a usable Redis URL (\(error))", fix: "use redis://[:password@]host:port[/db]")
        }
    }

    private static func openLedger(_ database: NodeDatabase, settings: DaemonSettings, checkpointKey: LedgerKey,
                                   validators: [Validator]) throws(ConfigurationError) -> LedgerStore {
        let ledgerSettings = LedgerStore.Settings(origin: settings.ledger.origin, checkpointKey: checkpointKey,
                                                  genesisValidators: validators, mempoolMax: settings.ledger.mempoolMax)
        do {
            let store = try LedgerStore(pool: database.pool, settings: ledgerSettings)
            if let configured = settings.ledger.validators,
               Set(configured.map(\.id)) != Set(try store.reader.validators().filter { $0.addedHeight == 0 }.map(\.validator.id)) {
                Logger(label: NodeRole.ns.serviceName).warning(
                    "VALIDATOR_PUBLIC_KEYS differs from the validator set stored at genesis; the stored set stays in force (it changes only through governance)")
            }
            return store
        } catch {
            throw ConfigurationError(variable: "DB_PATH", problem: "names a ledger that cannot be loaded (\(NodeDatabase.describe(error)))",
                                     fix: "check the file, or restore it from a backup")
        }
    }

    private func application(for role: NodeRole, blueprint: NodeBlueprint, metrics: NodeMetrics, onBound peer: PeerAddress?) -> some Service {
        let logger = makeLogger(role.serviceName)
        let router = NodeRouter.make(service: role.serviceName, blueprint: blueprint, metrics: metrics,
                                     metricsEnabled: settings.enableMetrics, healthTimeout: settings.healthCheckTimeout)
        let host = settings.host
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: settings.ports[role] ?? role.defaultPort), serverName: "nsd"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                peer?.bind(host: host, port: port)
                logger.info("listening", metadata: ["address": .string(host), "port": .stringConvertible(port)])
            },
            logger: logger)
    }
}
