import Foundation

/// One of the nodes `nsd` can host: the four of the pipeline, and the optional witness, which
/// cosigns other logs' checkpoints (``WitnessSettings``) and runs only where it is configured.
///
/// The raw value is what operators type after `--role`; the service name is what logs, health
/// output and metrics call the node (the seeds' container names), and the data folder is the
/// seeds' volume name, so a backup taken here maps one-to-one onto the compose volumes.
public enum NodeRole: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case gateway
    case ns
    case vp
    case admin
    case witness

    /// The nodes `nsd run` hosts when no `--role` is named: the pipeline's four, plus the witness
    /// when any `WITNESS_*` setting is configured (a witness needs its own key and logs, and one
    /// run by the same operator next to ns-node adds little, so it is never started unasked).
    public static func unnamedSelection(source: ConfigurationSource) -> Set<NodeRole> {
        WitnessSettings.isConfigured(source) ? pipeline.union([.witness]) : pipeline
    }

    /// The four nodes of the submission pipeline.
    public static let pipeline: Set<NodeRole> = [.gateway, .ns, .vp, .admin]

    /// Whether the node calls or answers other nodes with `INTERNAL_TOKEN`: every pipeline node.
    /// A witness does not; it answers checkpoints signed by the logs it watches, which a third
    /// party's witness must do without holding the log's token.
    public var usesInternalToken: Bool { Self.pipeline.contains(self) }

    /// The name logs, `/health` and metrics use for this node.
    public var serviceName: String {
        switch self {
        case .gateway: "gateway-node"
        case .ns: "ns-node"
        case .vp: "vp-node"
        case .admin: "admin-node"
        case .witness: "witness-node"
        }
    }

    /// The seeds' port for this node.
    public var defaultPort: Int {
        switch self {
        case .gateway: 8080
        case .ns: 3009
        case .vp: 3002
        case .admin: 3000
        case .witness: 3010
        }
    }

    /// Where nsctl and the other nodes reach this node when no URL is configured for it: this
    /// host, on ``defaultPort``.
    public var defaultURL: URL {
        URL(string: "http://localhost:\(defaultPort)")!  // a literal host and a port number: always valid
    }

    /// The variable that sets this node's port whatever other roles run in the process.
    public var portVariable: String {
        switch self {
        case .gateway: "GATEWAY_PORT"
        case .ns: "NS_PORT"
        case .vp: "VP_PORT"
        case .admin: "ADMIN_PORT"
        case .witness: "WITNESS_PORT"
        }
    }

    /// The folder under the data directory that holds this node's state, or `nil` when the node
    /// keeps none of its own (the gateway writes only to the queue, which vp-node owns).
    public var dataFolder: String? {
        switch self {
        case .gateway: nil
        case .ns: DataLayout.nsNodeFolder
        case .vp: DataLayout.vpNodeFolder
        case .admin: DataLayout.adminNodeFolder
        case .witness: DataLayout.witnessNodeFolder
        }
    }

    public var description: String { rawValue }

    /// Start-up order: ns-node first (the others call it), then the queue owner, then its clients;
    /// the witness, which calls none of them, last.
    public static func < (lhs: NodeRole, rhs: NodeRole) -> Bool {
        lhs.startOrder < rhs.startOrder
    }

    private var startOrder: Int {
        switch self {
        case .ns: 0
        case .vp: 1
        case .gateway: 2
        case .admin: 3
        case .witness: 4
        }
    }
}
