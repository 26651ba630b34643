import NSCore

/// One container of the compose deployment, described once; the compose file, the Prometheus
/// scrape jobs, `.env.example` and the README tables are all rendered from these values, so
/// they cannot disagree about a port, an address or a secret.
struct ComposeService: Sendable {
    /// What runs in the container.
    enum Runtime: Sendable {
        /// `nsd run --role <role>` from the image the `Dockerfile` builds.
        case node(NodeRole)
        /// A third-party image, pinned, with its command line.
        case image(String, command: [String])
    }

    /// Compose service name, also its DNS name on the network (`ns-node`).
    var name: String
    /// A fixed container name, so `docker exec neuroswarm-gateway ...` from the seeds works.
    var containerName: String
    /// What the service is for, written above it in the compose file.
    var summary: String
    var runtime: Runtime
    /// Its fixed address on the seeds' bridge network.
    var address: String
    var port: PortBinding
    /// Whether ``port`` is published on the host at all (the TLS variant publishes only 443 and 8443).
    var publishesPort = true
    /// Settings in the order written; secrets come separately (see ``secrets``).
    var environment: [Setting]
    var secrets: [SecretMount]
    var volumes: [VolumeMount]
    /// Services that must be healthy before this one starts.
    var dependsOn: [String]
    var health: HealthCheck
    let resources: Resources
    /// Comment lines written above the command (why a setting differs from the seeds).
    var commandNotes: [String] = []

    /// The node role, when the service runs `nsd`.
    var role: NodeRole? {
        if case .node(let role) = runtime { return role }
        return nil
    }
}

extension ComposeService {
    /// A published port. Only the gateway faces clients; everything else binds to the host's
    /// loopback, reachable by an operator on the host (or an SSH tunnel) but not from outside.
    struct PortBinding: Sendable {
        let host: Int
        let container: Int
        let isPublic: Bool

        /// The compose short syntax: `8080:8080` or `127.0.0.1:3009:3009`.
        var composeValue: String {
            (isPublic ? "" : "127.0.0.1:") + "\(host):\(container)"
        }
    }

    /// An environment variable of a service.
    struct Setting: Sendable {
        enum Value: Sendable {
            /// Always this value: addresses on the compose network, the mode.
            case fixed(String)
            /// `${variable:-default}`: the operator may override it in `compose/.env`, which
            /// `.env.example` documents with `note`.
            case tunable(variable: String, default: String, note: String)
        }

        /// The variable's name inside the container.
        let name: String
        let value: Value

        static func fixed(_ name: String, _ value: String) -> Setting {
            Setting(name: name, value: .fixed(value))
        }

        /// A setting the operator may change in `.env`, under the name the container reads.
        static func tunable(_ name: String, default value: String, note: String) -> Setting {
            Setting(name: name, value: .tunable(variable: name, default: value, note: note))
        }

        /// The same `.env` variable passed to the container under another name (Grafana's `GF_*`).
        func renamed(_ containerName: String) -> Setting {
            Setting(name: containerName, value: value)
        }

        /// The value as written in the compose file.
        var composeValue: String {
            switch value {
            case .fixed(let text): text
            case .tunable(let variable, let fallback, _): "${\(variable):-\(fallback)}"
            }
        }
    }

    /// A compose secret mounted at `/run/secrets/<file>` and named by a `*_FILE` variable.
    struct SecretMount: Sendable {
        let secret: DeploymentSecret
        /// The variable holding the path: `JWT_SECRET_FILE` for nsd, Grafana's own name for Grafana.
        let variable: String

        /// How `nsd` reads every secret: `NAME_FILE` (see `ConfigurationSource.secret`).
        static func nsd(_ secret: DeploymentSecret) -> SecretMount {
            SecretMount(secret: secret, variable: secret.rawValue + "_FILE")
        }

        var path: String { "/run/secrets/" + secret.fileName }
    }

    /// A named volume (or a read-only bind mount of a rendered file) inside the container.
    struct VolumeMount: Sendable {
        /// A named volume from the top-level `volumes:` or a `./relative` path.
        let source: String
        let target: String
        var readOnly = false

        var composeValue: String { "\(source):\(target)" + (readOnly ? ":ro" : "") }
        var isNamedVolume: Bool { !source.hasPrefix(".") && !source.hasPrefix("/") }
    }

    /// A container health check; `depends_on` waits for it.
    struct HealthCheck: Sendable {
        let test: [String]
        var interval = "10s"
        var timeout = "5s"
        var retries = 5
        var startPeriod = "20s"

        /// `GET /health` on the node's own port; the image installs curl for this.
        static func http(port: Int, path: String) -> HealthCheck {
            HealthCheck(test: ["CMD", "curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "http://127.0.0.1:\(port)\(path)"])
        }

        /// `GET /health` over https at the service's own name (which its certificate names),
        /// verified against the CA file `caFile`.
        static func https(service: String, port: Int, path: String, caFile: String) -> HealthCheck {
            HealthCheck(test: ["CMD", "curl", "--fail", "--silent", "--show-error", "--output", "/dev/null", "--cacert", caFile,
                               "https://\(service):\(port)\(path)"])
        }
    }

    /// `deploy.resources`: what the container may use, and what the host keeps for it.
    struct Resources: Sendable {
        let cpus: String
        let memory: String
        let reservedCPUs: String
        let reservedMemory: String
    }
}

/// The secrets of the deployment, one file each under `compose/secrets/`.
///
/// Public keys and the validator set are not secret and stay in `.env`.
enum DeploymentSecret: String, Sendable, CaseIterable {
    case jwtSecret = "JWT_SECRET"
    case adminJWTSecret = "ADMIN_JWT_SECRET"
    case sessionSecret = "SESSION_SECRET"
    case internalToken = "INTERNAL_TOKEN"
    case grafanaAdminPassword = "GRAFANA_ADMIN_PASSWORD"
    case nsSigningKey = "NS_SIGNING_KEY"
    case vpSigningKey = "VP_SIGNING_KEY"
    /// The key of the submitter's keyed hash in transactions (gateway and vp-node).
    case ledgerSubmitterKey = "LEDGER_SUBMITTER_KEY"
    /// The PostgreSQL variant's superuser password and the URL the nodes reach it by (which
    /// embeds it): `nsctl secrets gen --postgres-secrets` writes both files together.
    case postgresPassword = "POSTGRES_PASSWORD"
    case databaseURL = "DATABASE_URL"
    /// The witness variant's cosigning key (an Ed25519 seed): `nsctl secrets gen --witness-secrets`
    /// writes it as a file, since it belongs to the witness, not to the log's `.env`.
    case witnessSigningKey = "WITNESS_SIGNING_KEY"
    /// The values a rotation replaced, mounted only on the nodes that check the secret; the files
    /// stay empty (no previous value) except while a rotation rolls (docs/operations.md).
    case jwtSecretPrevious = "JWT_SECRET_PREVIOUS"
    case adminJWTSecretPrevious = "ADMIN_JWT_SECRET_PREVIOUS"
    case sessionSecretPrevious = "SESSION_SECRET_PREVIOUS"
    case internalTokenPrevious = "INTERNAL_TOKEN_PREVIOUS"
    /// The TLS variant's certificate chain, key and CA (read as `TLS_CERT_FILE`, ...): files the
    /// operator's CA or ACME client provides, not generated by `nsctl secrets gen`.
    case tlsCertificate = "TLS_CERT"
    case tlsKey = "TLS_KEY"
    case tlsCA = "TLS_CA"

    /// Whether `nsctl secrets gen` makes it (the TLS files come from a CA; a `_PREVIOUS` file is
    /// empty until a rotation fills it).
    var isGenerated: Bool { !isPrevious && ![DeploymentSecret.tlsCertificate, .tlsKey, .tlsCA].contains(self) }

    /// The PostgreSQL variant's pair, which `nsctl secrets gen --postgres-secrets` writes as files
    /// directly rather than into the `.env` the header's recipe splits.
    static let postgres: [DeploymentSecret] = [.postgresPassword, .databaseURL]

    /// Written as files by their own `nsctl secrets gen` option, not split from the `.env`.
    var isWrittenAsFile: Bool { Self.postgres.contains(self) || self == .witnessSigningKey }

    /// The compose secret's name and its file name: `jwt_secret`.
    var fileName: String { rawValue.lowercased() }

    /// A `_PREVIOUS` file: made empty at deployment, filled only during a rotation.
    var isPrevious: Bool { rawValue.hasSuffix("_PREVIOUS") }
}
