import Foundation
import GRDB
import Hummingbird
import Logging
import NSCore
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
    public func services() throws(ConfigurationError) -> [any Service] {
        let roles = settings.roles
        var services: [any Service] = []
        func open(_ path: String, variable: String, owner: NodeRole) throws(ConfigurationError) -> NodeDatabase {
            let database = try NodeDatabase(path: path, variable: variable, migrator: .node(owner.serviceName))
            services.append(DatabaseCloser(database: database, logger: makeLogger(owner.serviceName)))
            return database
        }
        let ledger = roles.contains(.ns) ? try open(settings.ledgerDatabasePath, variable: "DB_PATH", owner: .ns) : nil
        let usesSQLiteQueue = roles.contains(.vp) || (roles.contains(.gateway) && settings.redisURL == nil)
        let queue = usesSQLiteQueue ? try open(settings.queueDatabasePath, variable: "--data-dir", owner: .vp) : nil
        let admin = roles.contains(.admin) ? try open(settings.adminDatabasePath, variable: "--data-dir", owner: .admin) : nil

        let nsAddress: PeerAddress
        if let configured = settings.nsNodeURL {
            nsAddress = PeerAddress(url: configured)
        } else if roles.contains(.ns) {
            nsAddress = PeerAddress()
        } else {
            nsAddress = PeerAddress(url: DaemonSettings.defaultNSNodeURL)
        }
        let nsCheck = NSNodeCheck.make(address: nsAddress, client: .probing, timeout: settings.healthCheckTimeout)
        let redisCheck = settings.redisURL.map { RedisPing(url: $0).check() }

        for role in roles {
            let blueprint: NodeBlueprint
            switch role {
            case .ns: blueprint = LedgerNode.blueprint(database: ledger!)  // opened above whenever .ns is a role
            case .vp: blueprint = ProducerNode.blueprint(queue: queue!, nsNode: nsCheck, redis: redisCheck)  // opened above whenever .vp is a role
            case .gateway: blueprint = GatewayNode.blueprint(queue: queue, nsNode: nsCheck, redis: redisCheck)
            case .admin: blueprint = AdminNode.blueprint(database: admin!)  // opened above whenever .admin is a role
            }
            services.append(application(for: role, blueprint: blueprint, onBound: role == .ns && settings.nsNodeURL == nil ? nsAddress : nil))
        }
        return services
    }

    private func application(for role: NodeRole, blueprint: NodeBlueprint, onBound peer: PeerAddress?) -> some Service {
        let logger = makeLogger(role.serviceName)
        let metrics = NodeMetrics(node: role.serviceName)
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
