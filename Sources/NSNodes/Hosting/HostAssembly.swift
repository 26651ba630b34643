import Foundation
import GRDB
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NSCore
import NSPostgres
import ServiceLifecycle
import UnixSignals

/// The services of one `nsd` process while ``NodeHost`` builds them, and what its nodes share:
/// their metrics, development keys, the internal token, the peers' addresses and the job queue
/// (gateway and vp-node in one process use one queue object, so they share its committer).
/// One file per node adds that node (`HostAssembly+Ledger.swift`, ...).
struct HostAssembly {
    let settings: DaemonSettings
    let makeLogger: @Sendable (String) -> Logger
    let keys: DevelopmentKeys
    /// The node-to-node token, read when a node that uses it is added
    /// (``NodeRole/usesInternalToken``): a process hosting only the witness needs none.
    var internalToken: Secret {
        get throws(ConfigurationError) { try keys.internalToken() }
    }
    /// Where ns-node is reached: `NS_NODE_URL`, the in-process node once it listens, or the seeds' default.
    let nsAddress: PeerAddress
    let gatewayAddress: PeerAddress
    let vpAddress: PeerAddress
    let nsCheck: DependencyCheck
    /// The certificate each HTTPS node serves, loaded (and checked) before anything listens.
    let certificates: [NodeRole: CertificateStore]
    /// Services in start order; ServiceGroup stops them in reverse.
    private(set) var services: [any Service] = []
    private var metrics: [NodeRole: NodeMetrics]
    private var queue: HostQueue?
    /// The process's one PostgreSQL database (`DATABASE_URL`), opened by ``sharedDatabase()``.
    private var postgres: PostgresDatabase?

    init(settings: DaemonSettings, makeLogger: @escaping @Sendable (String) -> Logger) throws(ConfigurationError) {
        self.settings = settings
        self.makeLogger = makeLogger
        keys = DevelopmentKeys(settings: settings, logger: makeLogger("nsd"))
        metrics = Dictionary(uniqueKeysWithValues: settings.roles.map { ($0, NodeMetrics(node: $0.serviceName)) })
        let roles = settings.roles
        // In-process nodes are reached on the port they bind; others at NS_NODE_URL, GATEWAY_URL,
        // VP_URL, or the seeds' ports on localhost.
        func peer(_ role: NodeRole, configured: [URL]?) -> PeerAddress {
            if let configured { return PeerAddress(urls: configured) }
            if roles.contains(role) { return PeerAddress() }
            return PeerAddress(url: role.defaultURL)
        }
        nsAddress = peer(.ns, configured: settings.nsNodeURLs)
        gatewayAddress = peer(.gateway, configured: settings.gatewayURL.map { [$0] })
        vpAddress = peer(.vp, configured: settings.vpNodeURL.map { [$0] })
        nsCheck = NSNodeCheck.make(address: nsAddress, client: .nodeFailingFast, timeout: settings.healthCheckTimeout)
        var certificates: [NodeRole: CertificateStore] = [:]
        for (role, files) in settings.tls.servers {
            certificates[role] = try CertificateStore(role: role, files: files)
        }
        self.certificates = certificates
    }

    /// The metrics of `role`, made for every role this process hosts, and of no other.
    func metrics(_ role: NodeRole) -> NodeMetrics {
        if let made = metrics[role] { return made }
        preconditionFailure("\(role) is not a role of this process: each add… function is called only for the settings' roles")
    }

    /// Opens (creating when missing) one node's SQLite database under a lock on its folder, and
    /// closes it after every service added later has stopped. `countedBy` is the node whose
    /// metrics count its failed background checkpoints (by default the owner).
    mutating func openDatabase(_ path: String, variable: String, owner: NodeRole, countedBy: NodeRole? = nil, writerCacheMiB: Int? = nil,
                               schema: (inout DatabaseMigrator) -> Void) throws(ConfigurationError) -> NodeDatabase {
        var migrator = DatabaseMigrator.node(owner.serviceName)
        schema(&migrator)
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try VolumeLock.hold(folder: folder.isEmpty ? "." : folder)
        } catch {
            throw ConfigurationError(variable: variable, problem: "names \(path), whose folder cannot be locked (\(error.problem))",
                                     fix: "point it at a writable local file system")
        }
        let database = try NodeDatabase(path: path, variable: variable, migrator: migrator, writerCacheMiB: writerCacheMiB,
                                        internalErrors: metrics[countedBy ?? owner]?.internalErrors)
        services.append(DatabaseCloser(database: database, logger: makeLogger(owner.serviceName)))
        return database
    }

    /// The job queue gateway and vp-node share, opened by whichever of them is added first.
    mutating func sharedQueue() throws(ConfigurationError) -> HostQueue {
        if let queue { return queue }
        let opened = try HostQueue.open(in: &self)
        queue = opened
        return opened
    }

    /// The PostgreSQL database of `DATABASE_URL`, nil without it: one per process, shared by
    /// every node that keeps its state there (ns-node's ledger; admin-node's store opens it here
    /// too). The first call starts its pools and adds the service that closes them, before the
    /// services of the node that asked, so it stops after every node using it.
    mutating func sharedDatabase() throws(ConfigurationError) -> PostgresDatabase? {
        if let postgres { return postgres }
        guard let url = settings.database else { return nil }
        let logger = makeLogger("nsd")
        let roles = settings.roles.map(\.serviceName).joined(separator: ",")
        let database = try PostgresDatabase(url: url, settings: .init(timeout: settings.databaseTimeout, applicationName: "nsd \(roles)"),
                                            logger: logger)
        services.append(PostgresDatabaseRunner(database: database, logger: logger))
        postgres = database
        return database
    }

    /// Adds `role`'s HTTP application: HTTPS when the role has a certificate (the gateway also
    /// speaks HTTP/2, chosen by ALPN), plain HTTP/1.1 otherwise. `bound` is the peer address that
    /// learns its URL once it listens (the in-process peer others call), if any.
    mutating func addApplication(_ role: NodeRole, blueprint: NodeBlueprint, bound: PeerAddress?) throws(ConfigurationError) {
        let logger = makeLogger(role.serviceName)
        let router = NodeRouter.make(service: role.serviceName, blueprint: blueprint, metrics: metrics(role),
                                     metricsEnabled: settings.enableMetrics, healthTimeout: settings.healthCheckTimeout)
        let host = settings.host
        let certificate = certificates[role]
        let scheme = certificate == nil ? "http" : "https"
        services.append(Application(
            router: router,
            server: try Self.server(for: role, certificate: certificate),
            configuration: .init(address: .hostname(host, port: settings.ports[role] ?? role.defaultPort), serverName: "nsd"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                bound?.bind(host: host, port: port, scheme: scheme)
                logger.info("listening", metadata: ["address": .string(host), "port": .stringConvertible(port), "scheme": .string(scheme)])
            },
            logger: logger))
    }

    private static func server(for role: NodeRole, certificate: CertificateStore?) throws(ConfigurationError) -> HTTPServerBuilder {
        guard let certificate else { return .http1() }
        do {
            if role == .gateway { return try .http2Upgrade(tlsConfiguration: certificate.serverConfiguration()) }
            return try .tls(.http1(), tlsConfiguration: certificate.serverConfiguration())
        } catch {
            throw ConfigurationError(variable: certificate.files.certificateVariable, problem: "cannot be served (\(type(of: error)))",
                                     fix: "point it and \(certificate.files.keyVariable) at a PEM certificate and its key")
        }
    }

    /// Reloads every HTTPS node's certificate on SIGHUP; `signals` is trapping already, so a
    /// SIGHUP that comes as soon as a node listens does not end the process.
    mutating func addCertificateReloader(signals: UnixSignalsSequence) {
        guard !certificates.isEmpty else { return }
        services.append(CertificateReloader(stores: certificates.values.sorted { $0.role < $1.role }, signals: signals,
                                            internalErrors: certificates.mapValues { metrics($0.role).internalErrors },
                                            logger: makeLogger("nsd")))
    }

    mutating func add(_ service: some Service) {
        services.append(service)
    }
}
