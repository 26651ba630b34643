import NSCore

/// The seeds' production deployment as data: seven services on one bridge network with fixed
/// addresses. Every rendered file reads this description, and nothing else decides a port, an
/// address, a volume or a secret.
enum NeuroSwarmDeployment {
    static let network = "neuroswarm-network"
    static let subnet = "172.20.0.0/16"
    /// Named volumes get this prefix as their Docker name, so the seeds' backup commands
    /// (`-v neuroswarm_ns-node-data:/data`) work whatever folder compose runs from.
    static let volumePrefix = "neuroswarm_"
    /// The image the `Dockerfile` builds, tagged by `NSD_VERSION`.
    static let nsdImage = "neuroswarm/nsd:${NSD_VERSION:-latest}"
    /// Where `nsd` keeps state in the image; each node's volume is mounted on its folder below it.
    static let dataDirectory = "/data"

    static let services: [ComposeService] = [nsNode, redis, gateway, vpNode, adminNode, prometheus, grafana]

    /// Named volumes in first-use order.
    static var volumes: [String] { volumes(of: services) }

    /// The named volumes `services` mount, in first-use order.
    static func volumes(of services: [ComposeService]) -> [String] {
        var seen: [String] = []
        for mount in services.flatMap(\.volumes) where mount.isNamedVolume && !seen.contains(mount.source) {
            seen.append(mount.source)
        }
        return seen
    }

    /// Secrets in the order ``DeploymentSecret`` lists them, when some service uses them.
    static var secrets: [DeploymentSecret] { secrets(of: services) }

    /// The secrets `services` use, in the order ``DeploymentSecret`` lists them.
    static func secrets(of services: [ComposeService]) -> [DeploymentSecret] {
        let used = Set(services.flatMap(\.secrets).map(\.secret))
        return DeploymentSecret.allCases.filter(used.contains)
    }

    /// The variables an operator may set in `compose/.env`, once each, in first-use order.
    static var tunables: [(variable: String, default: String, note: String)] { tunables(of: services) }

    /// The variables `services` let an operator set, once each, in first-use order.
    static func tunables(of services: [ComposeService]) -> [(variable: String, default: String, note: String)] {
        var seen: Set<String> = []
        var found: [(variable: String, default: String, note: String)] = []
        for setting in services.flatMap(\.environment) {
            guard case .tunable(let variable, let fallback, let note) = setting.value, seen.insert(variable).inserted else { continue }
            found.append((variable, fallback, note))
        }
        return found
    }

    // MARK: - the nodes

    /// Where the nodes find ns-node; the PostgreSQL variant lists several under this name.
    static let nsURL = ComposeService.Setting.fixed("NS_NODE_URL", nodeURL(nsNode))
    static let redisURL = ComposeService.Setting.fixed("REDIS_URL", "redis://redis:6379")
    private static let logLevel = ComposeService.Setting.tunable("LOG_LEVEL", default: "info", note: "trace, debug, info, notice, warn, error or critical, for every node")
    private static let jobMaxRetries = ComposeService.Setting.tunable("JOB_MAX_RETRIES", default: "3", note: "attempts before a job goes to the dead-letter queue")
    private static let jobTimeout = ComposeService.Setting.tunable("JOB_TIMEOUT_MS", default: "60000", note: "longest one job attempt may run")
    private static let ledgerSubmitter = ComposeService.Setting.tunable(
        LedgerPrivacySettings.submitterVariable, default: LedgerPrivacy.SubmitterPolicy.keyedHash.rawValue,
        note: "what transactions record of the JWT sub: keyed-hash (its HMAC under the ledger_submitter_key secret) or plain (the sub itself); gateway and vp-node must agree")
    private static let tokenMaxLifetime = ComposeService.Setting.tunable(
        TokenLifetime.variable, default: TokenLifetime.text(TokenLifetime.defaultMaximum), note: "longest token lifetime (exp - iat) the node accepts")

    /// `http://<service>:<port>`: how the other containers call a node.
    static func nodeURL(_ service: ComposeService) -> String {
        "http://\(service.name):\(service.port.container)"
    }

    /// The settings every node has: production mode, its port, metrics on, the log level.
    static func nodeBasics(_ role: NodeRole) -> [ComposeService.Setting] {
        [.fixed("NODE_ENV", "production"), .fixed("PORT", String(role.defaultPort)), .fixed("ENABLE_METRICS", "true"), logLevel]
    }

    private static func node(_ role: NodeRole, summary: String, address: String, isPublic: Bool = false, environment: [ComposeService.Setting],
                             secrets: [DeploymentSecret], dependsOn: [String], resources: ComposeService.Resources) -> ComposeService {
        ComposeService(
            name: role.serviceName, containerName: role == .gateway ? "neuroswarm-gateway" : "neuroswarm-\(role.serviceName)",
            summary: summary, runtime: .node(role), address: address,
            port: .init(host: role.defaultPort, container: role.defaultPort, isPublic: isPublic),
            environment: nodeBasics(role) + environment, secrets: secrets.map(ComposeService.SecretMount.nsd),
            volumes: role.dataFolder.map { [.init(source: $0, target: dataDirectory + "/" + $0)] } ?? [],
            dependsOn: dependsOn, health: .http(port: role.defaultPort, path: "/health"), resources: resources)
    }

    static let nsNode = node(
        .ns, summary: "ns-node: the ledger (SQLite), mempool, validator set and signed checkpoints.", address: "172.20.0.10",
        environment: [
            .tunable("VALIDATOR_PUBLIC_KEYS", default: "", note: "required: the genesis producers, name=base64,... (the line `nsctl secrets gen` writes)"),
            .tunable("LEDGER_ORIGIN", default: LedgerSettings.defaultOrigin, note: "first line of every checkpoint"),
            .tunable("MEMPOOL_MAX", default: "100000", note: "transactions ns-node holds before refusing more"),
        ],
        secrets: [.jwtSecret, .internalToken, .nsSigningKey, .internalTokenPrevious], dependsOn: [],
        resources: .init(cpus: "1", memory: "1G", reservedCPUs: "0.5", reservedMemory: "512M"))

    static let gateway = node(
        .gateway, summary: "gateway-node: the client API (JWT, rate limits); the only port published beyond this host.",
        address: "172.20.0.20", isPublic: true,
        environment: [
            nsURL, redisURL,
            .tunable("RATE_LIMIT_WINDOW_MS", default: "60000", note: "rate-limit window per client"),
            .tunable("RATE_LIMIT_MAX_REQUESTS", default: "100", note: "requests per client per window"),
            .tunable("ENABLE_CORS", default: "false", note: "true to answer browsers; then CORS_ORIGIN must list their origins"),
            .tunable("CORS_ORIGIN", default: "", note: "allowed browser origins, comma-separated ('*' is refused in production)"),
            .tunable("TRUSTED_PROXIES", default: "", note: "addresses of a reverse proxy whose X-Forwarded-For is believed"),
            .tunable("NS_CHECK_RETRIES", default: "5", note: "ns-node checks at gateway start-up"),
            .tunable("NS_CHECK_EXIT_ON_FAIL", default: "false", note: "exit when ns-node never answered at start-up"),
            jobMaxRetries, jobTimeout, tokenMaxLifetime, ledgerSubmitter,
        ],
        secrets: [.jwtSecret, .internalToken, .ledgerSubmitterKey, .jwtSecretPrevious], dependsOn: ["ns-node", "redis"],
        resources: .init(cpus: "1", memory: "512M", reservedCPUs: "0.25", reservedMemory: "256M"))

    static let vpNode = node(
        .vp, summary: "vp-node: queue workers (sanitiser, sandbox) and the block producer.", address: "172.20.0.30",
        environment: [
            nsURL, redisURL,
            .tunable("JOB_QUEUE_WORKERS", default: "10", note: "concurrent queue workers"),
            .tunable("JOB_LEASE_BATCH", default: "32", note: "jobs a worker leases in one call"),
            jobTimeout, jobMaxRetries,
            .tunable("JOB_RETENTION_MS", default: String(DaemonSettings.defaultJobRetentionMs),
                     note: "how long finished jobs stay in Redis; the redis maxmemory below is sized for the default (docs/queue.md)"),
            .tunable("SANDBOX_RUNTIMES", default: "none",
                     note: "languages run as code; none here: containers forbid user namespaces by default, and without them a snippet would run as this node's user with its secrets in reach (docs/sandbox.md says how to enable code runs)"),
            .tunable("SANDBOX_TIMEOUT_MS", default: "5000", note: "limit of one sandboxed code run"),
            .tunable("SANDBOX_MAX_MEMORY_MB", default: "128", note: "memory of one sandboxed code run"),
            .tunable("BLOCK_INTERVAL_MS", default: "1000", note: "how often vp-node builds a block"),
            .tunable("BLOCK_MAX_TXS", default: "1000", note: "most transactions per block"),
            .tunable(LedgerPrivacySettings.previewVariable, default: LedgerPrivacy.PreviewPolicy.hash.rawValue,
                     note: "what transactions record of the sanitised text: hash (its SHA-256) or text (the text itself, readable by anyone who reaches ns-node; docs/ledger.md, What the log publishes)"),
            ledgerSubmitter, tokenMaxLifetime,
        ],
        secrets: [.adminJWTSecret, .internalToken, .vpSigningKey, .ledgerSubmitterKey, .adminJWTSecretPrevious], dependsOn: ["ns-node", "redis"],
        resources: .init(cpus: "2", memory: "1G", reservedCPUs: "0.5", reservedMemory: "512M"))

    static let adminNode = node(
        .admin, summary: "admin-node: governance dashboard, RBAC, sessions and the audit trail.", address: "172.20.0.40",
        environment: [nsURL, .fixed("GATEWAY_URL", "http://gateway-node:\(NodeRole.gateway.defaultPort)"),
                      .fixed("VP_URL", "http://vp-node:\(NodeRole.vp.defaultPort)"), tokenMaxLifetime],
        secrets: [.adminJWTSecret, .sessionSecret, .internalToken, .adminJWTSecretPrevious, .sessionSecretPrevious], dependsOn: ["ns-node"],
        resources: .init(cpus: "0.5", memory: "256M", reservedCPUs: "0.1", reservedMemory: "128M"))

    // MARK: - Redis and monitoring

    static let redisImage = "redis:7.2-alpine"
    /// Redis's settings on its command line; the HA variant gives every server the same ones.
    static let redisSettings = ["--appendonly", "yes", "--maxmemory", "2gb", "--maxmemory-policy", "noeviction"]

    static let redis = ComposeService(
        name: "redis", containerName: "neuroswarm-redis", summary: "redis: the shared job queue and rate-limit store (AOF on).",
        runtime: .image(redisImage, command: ["redis-server"] + redisSettings),
        address: "172.20.0.15", port: .init(host: 6379, container: 6379, isPublic: false),
        environment: [], secrets: [], volumes: [.init(source: DataLayout.redisVolume, target: "/data")], dependsOn: [],
        health: .init(test: ["CMD", "redis-cli", "ping"], startPeriod: "10s"),
        resources: .init(cpus: "1", memory: "3G", reservedCPUs: "0.25", reservedMemory: "1G"),
        commandNotes: [
            "maxmemory 2gb is docs/queue.md's sizing for the seeds' 50 jobs/s with JOB_RETENTION_MS at",
            "its default (one hour: 236 MiB of finished records) and a backlog of a million queued jobs",
            "(1,065 MiB): 64% of it, below nsctl health's 90% warning. The container's 3G leaves room for",
            "fragmentation and the AOF rewrite's fork. Faster or keyed traffic: redo the sum.",
            "noeviction, not the seeds' allkeys-lru: this Redis holds the job queue, and an evicting",
            "policy would silently drop accepted jobs under memory pressure. With noeviction a full",
            "Redis refuses new writes instead, so the gateway answers with an error and nothing is lost.",
        ])

    static let prometheus = ComposeService(
        name: "prometheus", containerName: "neuroswarm-prometheus", summary: "prometheus: scrapes every node's /metrics (prometheus.yml), keeps 30 days.",
        runtime: .image("prom/prometheus:v2.53.0", command: [
            "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=30d",
        ]),
        address: "172.20.0.50", port: .init(host: 9090, container: 9090, isPublic: false),
        environment: [], secrets: [],
        volumes: [.init(source: "./prometheus.yml", target: "/etc/prometheus/prometheus.yml", readOnly: true),
                  .init(source: "prometheus-data", target: "/prometheus")],
        dependsOn: [], health: .init(test: ["CMD", "wget", "--quiet", "--spider", "http://127.0.0.1:9090/-/healthy"]),
        resources: .init(cpus: "1", memory: "1G", reservedCPUs: "0.25", reservedMemory: "256M"))

    static let grafana = ComposeService(
        name: "grafana", containerName: "neuroswarm-grafana", summary: "grafana: the NeuroSwarm dashboard, provisioned from grafana/; host port 3001.",
        runtime: .image("grafana/grafana:11.2.0", command: []),
        address: "172.20.0.51", port: .init(host: 3001, container: 3000, isPublic: false),
        environment: [
            .tunable("GRAFANA_ADMIN_USER", default: "admin", note: "Grafana's administrator login").renamed("GF_SECURITY_ADMIN_USER"),
            .fixed("GF_USERS_ALLOW_SIGN_UP", "false"),
            .fixed("GF_AUTH_ANONYMOUS_ENABLED", "false"),
            .fixed("GF_ANALYTICS_REPORTING_ENABLED", "false"),
        ],
        secrets: [.init(secret: .grafanaAdminPassword, variable: "GF_SECURITY_ADMIN_PASSWORD__FILE")],
        volumes: [.init(source: "grafana-data", target: "/var/lib/grafana"),
                  .init(source: "./grafana/provisioning", target: "/etc/grafana/provisioning", readOnly: true),
                  .init(source: "./grafana/dashboards", target: "/etc/grafana/dashboards", readOnly: true)],
        dependsOn: ["prometheus"], health: .init(test: ["CMD", "wget", "--quiet", "--spider", "http://127.0.0.1:3000/api/health"]),
        resources: .init(cpus: "0.5", memory: "512M", reservedCPUs: "0.1", reservedMemory: "128M"))
}
