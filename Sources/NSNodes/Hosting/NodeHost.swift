import Logging
import NSCore
import NSNodeClient
import ServiceLifecycle
import UnixSignals

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
    /// data directory or database path, a missing secret, a certificate that cannot be served),
    /// before anything listens. With TLS, SIGHUP reloads the certificates from then on.
    ///
    /// Each node's store is opened just before its services, so its closer comes before every
    /// service that uses it and is stopped after them. The roles come in start-up order (ns-node
    /// first, so the others find the ledger listening).
    public func services() async throws(ConfigurationError) -> [any Service] {
        // Before the first node client is made (the assembly makes the health probes'); SIGHUP
        // is trapped before any node listens.
        try NodeTrust.install(caFile: settings.tls.caFile)
        var assembly = try HostAssembly(settings: settings, makeLogger: makeLogger)
        let reloadSignals = settings.tls.servers.isEmpty ? nil : await UnixSignalsSequence(trapping: .sighup)
        for role in settings.roles {
            switch role {
            case .ns: try await assembly.addLedgerNode()
            case .vp: try await assembly.addProducerNode()
            case .gateway: try await assembly.addGateway()
            case .admin: try await assembly.addAdminNode()
            case .witness: try assembly.addWitnessNode()
            }
        }
        if let reloadSignals { assembly.addCertificateReloader(signals: reloadSignals) }
        return assembly.services
    }
}
