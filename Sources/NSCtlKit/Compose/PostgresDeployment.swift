import NSCore

/// The PostgreSQL variant of ``NeuroSwarmDeployment``: ns-node's ledger and admin-node's audit
/// trail and sessions in one `postgres` service instead of SQLite files, and two ns-nodes over it,
/// which every node that calls ns-node lists in `NS_NODE_URL` (and fails over between).
///
/// The nodes read the database's address from the `database_url` secret (`DATABASE_URL_FILE`),
/// which embeds the password the `postgres` service is initialised with (`postgres_password`);
/// `nsctl secrets gen --postgres-secrets` writes the two together so they cannot disagree.
enum PostgresDeployment {
    static let composeFileName = "docker-compose.postgres.yml"
    static let prometheusFileName = "prometheus.postgres.yml"
    /// The role the image creates (a superuser: the nodes apply their schema migrations) and its database.
    static let user = "neuroswarm"
    static let database = "neuroswarm"
    /// The uid the postgres image's server runs as (the Debian variant's `postgres`); it must read postgres_password.
    static let serverUID = 999

    static var services: [ComposeService] {
        [postgres] + NeuroSwarmDeployment.services.flatMap { plain -> [ComposeService] in
            switch plain.role {
            case .ns: ledgerNodes
            case .some: [callingLedgerNodes(plain)]
            case .none where plain.name == NeuroSwarmDeployment.prometheus.name: [PrometheusConfig.reading(prometheusFileName, in: plain)]
            case .none: [plain]
            }
        }
    }

    /// The URL the nodes reach the database at. The password is letters and digits
    /// (``EnvTemplate/password()``), so it needs no escaping; TLS is off because the database is
    /// reached only on the compose network, never from outside the host.
    static func databaseURL(password: String) -> String {
        "postgres://\(user):\(password)@\(postgres.name):\(postgres.port.container)/\(database)?sslmode=disable"
    }

    static let postgres = ComposeService(
        name: "postgres", containerName: "neuroswarm-postgres",
        summary: "postgres: the ledger (ns-node-1, ns-node-2) and admin-node's audit trail and sessions.",
        runtime: .image("postgres:15-bookworm", command: ["postgres", "-c", "synchronous_commit=on"]),
        address: "172.20.0.12", port: .init(host: 5432, container: 5432, isPublic: false),
        environment: [.fixed("POSTGRES_USER", user), .fixed("POSTGRES_DB", database)],
        secrets: [.init(secret: .postgresPassword, variable: "POSTGRES_PASSWORD_FILE")],
        volumes: [.init(source: "postgres-data", target: "/var/lib/postgresql/data")], dependsOn: [],
        health: .init(test: ["CMD", "pg_isready", "--username", user, "--dbname", database], startPeriod: "30s"),
        resources: .init(cpus: "1", memory: "1G", reservedCPUs: "0.25", reservedMemory: "256M"),
        commandNotes: [
            "postgres:15 on Debian (glibc), not -alpine (musl): the order of text in an index follows the",
            "C library, so a physical copy (pg_basebackup, archived WAL) must be restored where the same one",
            "runs: Debian's PostgreSQL 15, which the tests use, and the nsd image's bookworm. Pinned to",
            "bookworm because a newer glibc may sort text differently and so break the existing indexes.",
            "synchronous_commit=on is the default, written out: a node answers success only after the",
            "COMMIT is on disk, and the command line wins over postgresql.conf and ALTER SYSTEM.",
        ])

    /// ns-node-1 and ns-node-2: the plain ns-node with the database's URL and no volume (the
    /// ledger is in PostgreSQL, and the checkpoint key is the `ns_signing_key` secret both share,
    /// so nothing of theirs lives on disk). ns-node-2 binds 3010 on the host.
    static let ledgerNodes = [ledgerNode(1, address: NeuroSwarmDeployment.nsNode.address, hostPort: NeuroSwarmDeployment.nsNode.port.host),
                              ledgerNode(2, address: "172.20.0.11", hostPort: NeuroSwarmDeployment.nsNode.port.host + 1)]

    private static func ledgerNode(_ number: Int, address: String, hostPort: Int) -> ComposeService {
        var node = NeuroSwarmDeployment.nsNode
        node.name += "-\(number)"
        node.containerName += "-\(number)"
        node.summary = "\(node.name): the ledger on postgres (shared with the other ns-node), mempool, validator set and signed checkpoints."
        node.address = address
        node.port = .init(host: hostPort, container: node.port.container, isPublic: false)
        node.secrets.append(.nsd(.databaseURL))
        node.volumes = []
        node.dependsOn = [postgres.name]
        return node
    }

    /// A node with every ns-node in `NS_NODE_URL` and waiting for them; admin-node also gets the
    /// database (audit trail and sessions) and so needs no volume.
    private static func callingLedgerNodes(_ plain: ComposeService) -> ComposeService {
        var node = plain
        let urls = ledgerNodes.map(NeuroSwarmDeployment.nodeURL).joined(separator: ",")
        node.environment = plain.environment.map { setting in
            setting.name == NeuroSwarmDeployment.nsURL.name ? ComposeService.Setting.fixed(setting.name, urls) : setting
        }
        node.dependsOn = plain.dependsOn.flatMap { $0 == NeuroSwarmDeployment.nsNode.name ? ledgerNodes.map(\.name) : [$0] }
        if plain.role == .admin {
            node.secrets.append(.nsd(.databaseURL))
            node.volumes = []
            node.dependsOn.append(postgres.name)
        }
        return node
    }
}
