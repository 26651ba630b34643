/// Renders `docker-compose.production.yml` from ``NeuroSwarmDeployment``, and its TLS variant
/// `docker-compose.tls.yml` from ``TLSDeployment``.
///
/// No top-level `version:`: the Compose Specification (docker-compose 1.27+ and Compose v2)
/// is the format in which `depends_on: condition: service_healthy`, `deploy.resources` and
/// file-based `secrets:` all apply outside Swarm.
enum ComposeFile {
    static let fileName = "docker-compose.production.yml"

    static func render() -> String {
        render(services: NeuroSwarmDeployment.services, header: secretRecipe(NeuroSwarmDeployment.secrets) + [
            "",
            "Start: docker-compose -f compose/docker-compose.production.yml up -d --build",
            "Only the gateway (8080) is published beyond this host; the other ports bind to 127.0.0.1.",
        ])
    }

    /// `docker-compose.tls.yml`: ``TLSDeployment``, every node on HTTPS.
    static func renderTLS() -> String {
        let (certificate, key, ca) = (DeploymentSecret.tlsCertificate.fileName, DeploymentSecret.tlsKey.fileName, DeploymentSecret.tlsCA.fileName)
        return render(services: TLSDeployment.services, header: secretRecipe(NeuroSwarmDeployment.secrets) + [
            "",
            "The TLS variant: every node serves HTTPS and calls the others over https. Add the PEM files",
            "(one certificate naming ns-node, gateway-node, vp-node, admin-node and the public host name):",
            "  sudo install -m 0400 -o 10001 fullchain.pem compose/secrets/\(certificate)",
            "  sudo install -m 0400 -o 10001 privkey.pem compose/secrets/\(key)",
            "  install -m 0444 ca.pem compose/secrets/\(ca)     # its CA (TLS_CA_FILE); Prometheus reads it too",
            "Renew: sudo cp the new files over \(certificate) and \(key) (cp writes in place; after mv a container",
            "would keep the old file), then reload without dropping a connection:",
            "  docker-compose -f compose/\(TLSDeployment.composeFileName) kill -s SIGHUP ns-node gateway-node vp-node admin-node",
            "",
            "Start: docker-compose -f compose/\(TLSDeployment.composeFileName) up -d --build",
            "Only the gateway (\(TLSDeployment.gatewayHostPort)) and admin-node (\(TLSDeployment.adminHostPort)) are published; nothing else is on the host.",
        ])
    }

    /// `docker-compose.postgres.yml`: ``PostgresDeployment``, the ledger and admin state on PostgreSQL.
    static func renderPostgres() -> String {
        let (first, second) = (PostgresDeployment.ledgerNodes[0], PostgresDeployment.ledgerNodes[1])
        let (postgres, admin) = (PostgresDeployment.postgres, NeuroSwarmDeployment.adminNode.name)
        return render(services: PostgresDeployment.services, header: secretRecipe(NeuroSwarmDeployment.secrets(of: PostgresDeployment.services)) + [
            "",
            "The PostgreSQL variant: ns-node's ledger and admin-node's audit trail and sessions live in the",
            "\(postgres.name) service (volume \(postgres.volumes[0].source)) instead of SQLite files, so \(first.name) and \(second.name) share one",
            "ledger: either takes transactions and blocks and serves reads, the database allows one block per",
            "height, and gateway-node, vp-node and admin-node list both in NS_NODE_URL and fail over to the other.",
            "The nodes read DATABASE_URL_FILE=\(ComposeService.SecretMount.nsd(.databaseURL).path) (sslmode=disable: \(postgres.name) is reached",
            "on this network only). No ns-node-data or admin-node-data volume: their state is in the database.",
            "",
            "Start: docker-compose -f compose/\(PostgresDeployment.composeFileName) up -d --build",
            "\(postgres.name) starts first, then both ns-nodes. On the host: \(first.name) 127.0.0.1:\(first.port.host), \(second.name) 127.0.0.1:\(second.port.host),",
            "\(postgres.name) 127.0.0.1:\(postgres.port.host); only the gateway (8080) is published beyond this host.",
            "",
            "Back up (docs/operations.md): nsctl takes a consistent snapshot of the ledger, and of admin-node's",
            "audit trail and sessions, in the database (one repeatable-read transaction each) with the usual",
            "manifests, reading the node's DATABASE_URL_FILE (nsctl restore, wherever DATABASE_URL_FILE is set,",
            "puts them back once \(first.name), \(second.name) and \(admin) are stopped):",
            "  docker exec \(first.containerName) nsctl backup ns-node-data admin-node-data --out /tmp/backups",
            "  docker cp \(first.containerName):/tmp/backups/. backups/",
            "The database as a whole: a base copy with pg_basebackup plus continuous WAL archiving",
            "(-c archive_mode=on -c archive_command='...' to storage off this host) restores to any moment:",
            "  docker exec \(postgres.containerName) pg_basebackup --username \(PostgresDeployment.user) -D - -Ft -X fetch | gzip > postgres-base.tar.gz",
        ])
    }

    /// `docker-compose.witness.yml`: ``WitnessDeployment``, a witness cosigning ns-node's checkpoints.
    static func renderWitness() -> String {
        let (witness, ns) = (WitnessDeployment.witnessNode, NeuroSwarmDeployment.nsNode)
        let key = DeploymentSecret.witnessSigningKey.fileName
        return render(services: WitnessDeployment.services, header: secretRecipe(NeuroSwarmDeployment.secrets(of: WitnessDeployment.services)) + [
            "",
            "The witness variant: \(witness.name) (nsd --role witness) cosigns each checkpoint of \(ns.name) that extends",
            "the last one it cosigned, and \(ns.name) serves its checkpoints with that cosignature (WITNESSES), so",
            "clients can require it: nsctl verify --min-witnesses, nsctl monitor --min-witnesses (docs/ledger.md).",
            "Its key and the three public values that tie the two together, once, after secrets.env exists:",
            "  nsctl secrets gen --witness-secrets compose/secrets --env-file compose/secrets.env",
            "  sudo chown \(Dockerfile.uid) compose/secrets/\(key)",
            "It writes compose/secrets/\(key) (0600) and prints \(WitnessDeployment.nameVariable), \(WitnessDeployment.logsVariable) and",
            "\(WitnessDeployment.witnessesVariable) lines for compose/.env, and NS_WITNESSES for whoever runs nsctl verify or monitor.",
            "",
            "A witness run by the log's own operator on the log's own host is the same trust domain: it",
            "catches a bug or a ledger restored from too old a backup, not a dishonest operator. For that,",
            "another party runs this service on its own host (docker-compose -f \(WitnessDeployment.composeFileName)",
            "up -d \(witness.name), with its own key), and \(WitnessDeployment.witnessesVariable) names its URL instead.",
            "Never restore an older \(witness.volumes[0].source) or start it empty under the same key: retire the",
            "witness (a new \(WitnessDeployment.nameVariable) and key that clients pin anew). nsctl backup leaves it out.",
            "",
            "Start: docker-compose -f compose/\(WitnessDeployment.composeFileName) up -d --build",
            "On the host: \(witness.name) 127.0.0.1:\(witness.port.host); only the gateway (8080) is published beyond this host.",
        ])
    }

    /// `docker-compose.ha.yml`: ``RedisHADeployment``, the queue on a Redis master, a replica and three sentinels.
    static func renderHA() -> String {
        let (master, replica, sentinels) = (RedisHADeployment.master, RedisHADeployment.replica, RedisHADeployment.sentinels)
        return render(services: RedisHADeployment.services, header: secretRecipe(NeuroSwarmDeployment.secrets(of: RedisHADeployment.services)) + [
            "",
            "The HA Redis variant: the queue on \(master.name) (the first master) and \(replica.name), watched by \(sentinels.count) sentinels",
            "(\(sentinels.map(\.name).joined(separator: ", "))); when \(RedisHADeployment.quorum) agree the master has not answered for \(RedisHADeployment.downAfterMilliseconds) ms,",
            "one promotes the replica. gateway-node and vp-node ask the sentinels where the master is (REDIS_SENTINELS,",
            "REDIS_MASTER_NAME=\(RedisHADeployment.masterName); REDIS_URL keeps only its credentials) and answer 202 only once the",
            "replica holds the job too (REDIS_MIN_REPLICAS=\(RedisHADeployment.minReplicas)); a master whose replica is away refuses writes",
            "(min-replicas-to-write \(RedisHADeployment.minReplicas)), so nothing acknowledged lives on one server only (docs/queue.md).",
            "With one replica every write needs both servers: while either is down (compose restarts it; a",
            "restarted old master rejoins as a replica) the gateway answers 503 with Retry-After. All of it",
            "runs on this one host: it survives a crashed or killed Redis, not the loss of the host.",
            "",
            "Start: docker-compose -f compose/\(RedisHADeployment.composeFileName) up -d --build",
            "On the host: \(master.name) 127.0.0.1:\(master.port.host), \(replica.name) 127.0.0.1:\(replica.port.host), sentinels 127.0.0.1:\(sentinels.map { String($0.port.host) }.joined(separator: ",")).",
            "Which server is master: redis-cli -p \(sentinels[0].port.host) sentinel get-master-addr-by-name \(RedisHADeployment.masterName)",
        ])
    }

    private static func render(services: [ComposeService], header: [String]) -> String {
        var root = YAMLMap([], spaced: true)
        root.append("services", .map(YAMLMap(services.map(service), spaced: true)))
        root.append("networks", .map([
            NeuroSwarmDeployment.network: .map([
                "name": .string(NeuroSwarmDeployment.network),
                "driver": "bridge",
                "ipam": .map(["config": .list([.map(["subnet": .string(NeuroSwarmDeployment.subnet)])])]),
            ]),
        ]), comments: ["The seeds' bridge network; every service has a fixed address on it."])
        root.append("volumes", .map(YAMLMap(NeuroSwarmDeployment.volumes(of: services).map { volume in
            YAMLEntry(key: volume, value: .map(["name": .string(NeuroSwarmDeployment.volumePrefix + volume)]))
        })), comments: ["Back up ns-node-data (the ledger), admin-node-data (audit trail) and vp-node-data; see nsctl backup."])
        root.append("secrets", .map(YAMLMap(NeuroSwarmDeployment.secrets(of: services).map { secret in
            YAMLEntry(key: secret.fileName, value: .map(["file": .string("./secrets/" + secret.fileName)]))
        })), comments: ["One file per secret, mounted read-only at /run/secrets/<name>; see the header for how to make them."])
        return YAMLDocument(header: header, root: root).render()
    }

    /// The header's recipe for the generated secrets' files and the empty `_previous` ones.
    private static func secretRecipe(_ secrets: [DeploymentSecret]) -> [String] {
        let names = secrets.filter { $0.isGenerated && !$0.isWrittenAsFile }.map(\.rawValue).joined(separator: " ")
        let previous = secrets.filter(\.isPrevious).map { "compose/secrets/" + $0.fileName }.joined(separator: " ")
        let usesPostgres = secrets.contains(.postgresPassword)
        return [
            "NeuroSwarm production deployment. Generated by `nsctl compose render`: do not edit,",
            "change Sources/NSCtlKit/Compose/ and render again (a test fails while this file is stale).",
            "",
            "Secrets are files, never environment values. Make them once, from the repository root:",
            "  nsctl secrets gen --env-file compose/secrets.env      # fresh secrets and keys (0600)",
        ] + (usesPostgres ? [
            "  nsctl secrets gen --postgres-secrets compose/secrets  # postgres_password, and database_url with it (0600)",
        ] : []) + [
            "  mkdir -p -m 0700 compose/secrets",
            "  for name in \(names); do",
            "    file=compose/secrets/$(echo \"$name\" | tr 'A-Z' 'a-z')",
            "    grep \"^$name=\" compose/secrets.env | cut -d= -f2- | tr -d '\\n' > \"$file\"",
            "  done",
            "  touch \(previous)",
            "  chmod 0400 compose/secrets/*",
            "  sudo chown 10001 compose/secrets/*          # nsd runs as uid 10001 in its image",
            "  sudo chown 472 compose/secrets/grafana_admin_password   # Grafana runs as uid 472",
        ] + (usesPostgres ? [
            "  sudo chown \(PostgresDeployment.serverUID) compose/secrets/\(DeploymentSecret.postgresPassword.fileName)   # postgres runs as uid \(PostgresDeployment.serverUID) in its image",
        ] : []) + [
            "Copy VALIDATOR_PUBLIC_KEYS from compose/secrets.env into compose/.env (see .env.example),",
            "then keep secrets.env offline or delete it.",
            "The *_previous files stay empty except while a secret is rotated (docs/operations.md).",
        ]
    }

    private static func service(_ service: ComposeService) -> YAMLEntry {
        var map = YAMLMap([])
        switch service.runtime {
        case .node(let role):
            map.append("image", .string(NeuroSwarmDeployment.nsdImage))
            map.append("build", .map(["context": "..", "dockerfile": .string("compose/" + Dockerfile.fileName)]))
            map.append("container_name", .string(service.containerName))
            map.append("command", .flow(["run", "--role", role.rawValue, "--data-dir", NeuroSwarmDeployment.dataDirectory]))
            // nsd drains in-flight work for SHUTDOWN_TIMEOUT_MS (10 s) after SIGTERM; give it that and a margin.
            map.append("stop_grace_period", "15s")
        case .image(let image, let command):
            map.append("image", .string(image))
            map.append("container_name", .string(service.containerName))
            if !command.isEmpty { map.append("command", .flow(command), comments: service.commandNotes) }
        }
        map.append("restart", "unless-stopped")
        var environment = YAMLMap(service.environment.map { YAMLEntry(key: $0.name, value: .string($0.composeValue)) })
        for mount in service.secrets { environment.append(mount.variable, .string(mount.path)) }
        if !environment.entries.isEmpty { map.append("environment", .map(environment)) }
        if !service.secrets.isEmpty { map.append("secrets", .list(service.secrets.map { .string($0.secret.fileName) })) }
        if service.publishesPort { map.append("ports", .list([.string(service.port.composeValue)])) }
        if !service.volumes.isEmpty { map.append("volumes", .list(service.volumes.map { .string($0.composeValue) })) }
        map.append("networks", .map([NeuroSwarmDeployment.network: .map(["ipv4_address": .string(service.address)])]))
        if !service.dependsOn.isEmpty {
            map.append("depends_on", .map(YAMLMap(service.dependsOn.map {
                YAMLEntry(key: $0, value: .map(["condition": "service_healthy"]))
            })))
        }
        map.append("healthcheck", .map([
            "test": .flow(service.health.test),
            "interval": .string(service.health.interval),
            "timeout": .string(service.health.timeout),
            "retries": .literal(String(service.health.retries)),
            "start_period": .string(service.health.startPeriod),
        ]))
        map.append("logging", .map(["driver": "json-file", "options": .map(["max-size": "10m", "max-file": "3"])]),
                   comments: ["10 MB x 3 files per container, so logs never fill the disk."])
        map.append("deploy", .map(["resources": .map([
            "limits": .map(["cpus": .string(service.resources.cpus), "memory": .string(service.resources.memory)]),
            "reservations": .map(["cpus": .string(service.resources.reservedCPUs), "memory": .string(service.resources.reservedMemory)]),
        ])]))
        if service.role != nil {
            // nsd needs no privilege: its ports are above 1024 and it writes only under /data.
            map.append("security_opt", .list(["no-new-privileges:true"]))
            map.append("cap_drop", .list(["ALL"]))
        }
        return YAMLEntry(key: service.name, value: .map(map), comments: [service.summary])
    }
}
