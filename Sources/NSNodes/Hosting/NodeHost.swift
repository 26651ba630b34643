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
    /// data directory or database path, a missing secret), before anything listens.
    ///
    /// Each node's store is opened just before its services, so its closer comes before every
    /// service that uses it and is stopped after them. The roles come in start-up order (ns-node
    /// first, so the others find the ledger listening).
    public func services() async throws(ConfigurationError) -> [any Service] {
        var assembly = try HostAssembly(settings: settings, makeLogger: makeLogger)
        for role in settings.roles {
            switch role {
            case .ns: try assembly.addLedgerNode()
            case .vp: try await assembly.addProducerNode()
            case .gateway: try await assembly.addGateway()
            case .admin: try await assembly.addAdminNode()
            }
        }
        return assembly.services
    }
}
