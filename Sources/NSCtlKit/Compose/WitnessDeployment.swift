import NSCore

/// The witness variant of ``NeuroSwarmDeployment``: the plain deployment plus `witness-node`, a
/// C2SP tlog-witness (`nsd run --role witness`) that cosigns ns-node's checkpoints, and ns-node
/// configured to send it each one (`WITNESSES`).
///
/// A witness next to ns-node, run by the same operator, is the same trust domain: it catches a
/// bug or a restored-too-old ledger, not a dishonest operator (docs/ledger.md, Witnesses). The
/// service is written so another party can run it alone on its own host
/// (`docker-compose -f docker-compose.witness.yml up -d witness-node`), which is where its
/// cosignatures are worth the most.
///
/// The three public values that tie the two together come from `nsctl secrets gen
/// --witness-secrets`, which writes the witness's key and prints them for `compose/.env`:
/// `WITNESS_LOGS` (ns-node's origin and public key), `WITNESSES` (the witness's name, URL and
/// verifier key) and `WITNESS_NAME`.
enum WitnessDeployment {
    static let composeFileName = "docker-compose.witness.yml"
    static let prometheusFileName = "prometheus.witness.yml"
    /// The witness's key name when the operator names none: a schema-less URL, as c2sp.org/signed-note asks.
    static let defaultName = "witness.neuroswarm.local"

    static let witnessesVariable = "WITNESSES"
    static let logsVariable = "WITNESS_LOGS"
    static let nameVariable = "WITNESS_NAME"

    static var services: [ComposeService] {
        NeuroSwarmDeployment.services.flatMap { plain -> [ComposeService] in
            switch plain.role {
            case .ns: [witnessingLedgerNode, witnessNode]
            case .none where plain.name == NeuroSwarmDeployment.prometheus.name: [PrometheusConfig.reading(prometheusFileName, in: plain)]
            default: [plain]
            }
        }
    }

    /// The `WITNESSES` entry naming this deployment's witness: where ns-node reaches it, and the
    /// verifier key its cosignatures must verify with.
    static func witnessesEntry(name: String, verifierKey: String) -> String {
        "\(name)@\(NeuroSwarmDeployment.nodeURL(witnessNode))=\(verifierKey)"
    }

    static let witnessNode = ComposeService(
        name: NodeRole.witness.serviceName, containerName: "neuroswarm-" + NodeRole.witness.serviceName,
        summary: "witness-node: cosigns each ns-node checkpoint that extends the last one it saw (c2sp.org/tlog-witness).",
        runtime: .node(.witness), address: "172.20.0.60",
        port: .init(host: NodeRole.witness.defaultPort, container: NodeRole.witness.defaultPort, isPublic: false),
        environment: NeuroSwarmDeployment.nodeBasics(.witness) + [
            .tunable(nameVariable, default: defaultName,
                     note: "the witness's key name on its cosignature lines; the name `nsctl secrets gen --witness-secrets` was given"),
            .tunable(logsVariable, default: "",
                     note: "required by witness-node: origin=base64key of each log it cosigns (the line `nsctl secrets gen --witness-secrets` prints)"),
        ],
        secrets: [.nsd(.witnessSigningKey)],
        volumes: [.init(source: DataLayout.witnessNodeFolder, target: NeuroSwarmDeployment.dataDirectory + "/" + DataLayout.witnessNodeFolder)],
        dependsOn: [], health: .http(port: NodeRole.witness.defaultPort, path: "/health"),
        resources: .init(cpus: "0.25", memory: "128M", reservedCPUs: "0.05", reservedMemory: "64M"),
        commandNotes: [
            "Its volume is its promise: never restore an older copy or start it empty under the same",
            "WITNESS_NAME and key (it could then cosign a fork of what it cosigned since); retire it instead.",
        ])

    /// The plain ns-node, sending each checkpoint to the witness. It does not wait for the
    /// witness: a witness that is down only leaves its cosignature off.
    private static let witnessingLedgerNode: ComposeService = {
        var node = NeuroSwarmDeployment.nsNode
        node.environment.append(.tunable(witnessesVariable, default: "",
                                         note: "the witnesses ns-node sends checkpoints to, name@url=vkey,... (the line `nsctl secrets gen --witness-secrets` prints)"))
        return node
    }()
}
