import ArgumentParser
import AsyncHTTPClient
import Foundation
import NSCore
import NSNodeClient
import NSRedis

extension NSCtl {
    /// `nsctl health`: a monitoring-plugin check for cron, Nagios, Icinga and the like.
    struct Health: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every node's /health (and Redis, and the dead-letter queue) the monitoring-plugin way.",
            discussion: """
                Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad arguments). Prints one status \
                line with performance data, then one line per service. A node that does not answer, or answers \
                503, is CRITICAL; a slow one is WARNING or CRITICAL by --warning-ms/--critical-ms; the \
                dead-letter queue size (vp-node's metrics) by --dlq-warning/--dlq-critical; with several ns-nodes \
                listed in NS_NODE_URL each is probed, WARNING naming those down while one answers; the queue store's \
                fill (Redis used_memory of maxmemory, or the disk under SQLite; vp-node's metrics) by \
                --store-warning/--store-critical. A store that refuses writes makes the gateway and vp-node \
                answer 503, which is CRITICAL. Checks run in parallel within --timeout seconds in total. \
                A secret in the .env older than SECRET_MAX_AGE_DAYS (default \(DaemonSettings.defaultSecretMaxAgeDays)), or with no \
                date recorded by nsctl secrets gen, is WARNING; the oldest age in days is the perfdata secret_age_days.

                Addresses: GATEWAY_URL, NS_NODE_URL, VP_URL, ADMIN_URL (defaults \(NodeRole.gateway.defaultURL), :\(NodeRole.ns.defaultPort), \
                :\(NodeRole.vp.defaultPort), :\(NodeRole.admin.defaultPort)) and REDIS_URL, from the environment or .env. With \
                REDIS_SENTINELS (and REDIS_MASTER_NAME, REDIS_SENTINEL_PASSWORD) the redis check finds the master through \
                Sentinel and reports it, its replicas in sync and the sentinels that agree on it: WARNING when fewer \
                sentinels agree than the quorum, the quorum cannot be reached (SENTINEL ckquorum) or no replica is in sync; \
                CRITICAL when no sentinel names a master that answers as one.

                crontab: */5 * * * * nsctl health --ping-url https://hc-ping.com/<uuid> >/dev/null
                """)

        static let services = ["gateway", "ns", "vp", "admin", "redis"]

        @Option(help: ArgumentHelp("Services to check, comma-separated: gateway,ns,vp,admin,redis (redis only when REDIS_URL or REDIS_SENTINELS is set).",
                                   valueName: "list"))
        var service = "gateway,ns,vp,admin"

        @Option(help: ArgumentHelp("Latency at or above which a service is WARNING.", valueName: "ms"))
        var warningMs = 500

        @Option(help: ArgumentHelp("Latency at or above which a service is CRITICAL.", valueName: "ms"))
        var criticalMs = 1000

        @Option(help: ArgumentHelp("Dead-lettered jobs at or above which the check is WARNING.", valueName: "n"))
        var dlqWarning = 10

        @Option(help: ArgumentHelp("Dead-lettered jobs at or above which the check is CRITICAL.", valueName: "n"))
        var dlqCritical = 100

        @Option(help: ArgumentHelp("Queue store fill (percent of Redis maxmemory, or of the disk under SQLite) at or above which the check is WARNING.",
                                   valueName: "percent"))
        var storeWarning: Double = 90

        @Option(help: ArgumentHelp("Queue store fill at or above which the check is CRITICAL.", valueName: "percent"))
        var storeCritical: Double = 100

        @Option(help: ArgumentHelp("Bound on the whole check.", valueName: "seconds"))
        var timeout: Double = 10

        @Option(help: ArgumentHelp("Dead-man's-switch URL: the exit status is appended (/0 on success), healthchecks.io style.", valueName: "url"))
        var pingURL: String?

        @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
        var envFile: String?

        @Flag(help: "Print JSON with every detail instead of text.")
        var json = false

        var selected: [String] { service.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

        func validate() throws {
            for name in selected where !Self.services.contains(name) {
                throw ValidationError("--service \(name) is unknown; choose from \(Self.services.joined(separator: ","))")
            }
            guard !selected.isEmpty else { throw ValidationError("--service names no service") }
            guard warningMs > 0, criticalMs >= warningMs else { throw ValidationError("--critical-ms must be at least --warning-ms, both above 0") }
            guard dlqWarning >= 0, dlqCritical >= dlqWarning else { throw ValidationError("--dlq-critical must be at least --dlq-warning") }
            guard storeWarning > 0, storeCritical >= storeWarning, storeCritical <= 100 else {
                throw ValidationError("--store-critical must be at least --store-warning, both between 0 and 100")
            }
            guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
            if let pingURL, URL(string: pingURL)?.scheme?.hasPrefix("http") != true { throw ValidationError("--ping-url must be an http(s) URL") }
        }

        func run() async throws {
            let verdict: HealthVerdict
            do {
                verdict = try await check()
            } catch let failure as CommandFailure {
                print("NEUROSWARM UNKNOWN - \(failure.message)")
                throw ExitCode(HealthVerdict.State.unknown.rawValue)
            }
            if json {
                print(String(decoding: CanonicalJSON.encode(HealthJSON.render(verdict)), as: UTF8.self))
            } else {
                print(verdict.statusLine)
                verdict.detailLines.forEach { print($0) }
            }
            if let pingURL { await ping(pingURL, status: verdict.state.rawValue) }
            throw ExitCode(verdict.state.rawValue)
        }

        private func check() async throws -> HealthVerdict {
            let (source, dotEnv) = try Settings.sourceWithDotEnv(envFile: envFile)
            let secrets = try dotEnv.map { try secretAges(in: $0, source: source) }
            func url(_ name: String, _ role: NodeRole) throws -> URL {
                do {
                    return try source.url(name, schemes: ["http", "https"]) ?? role.defaultURL
                } catch {
                    throw CommandFailure(error.description)
                }
            }
            let nodes: [(service: String, name: String, urls: [URL])] = try [
                ("gateway", "gateway-node", [url("GATEWAY_URL", .gateway)]), ("ns", "ns-node", NodeOptions.nsNodeURLs(source: source)),
                ("vp", "vp-node", [url("VP_URL", .vp)]), ("admin", "admin-node", [url("ADMIN_URL", .admin)]),
            ].filter { selected.contains($0.0) }
            let redis = try RedisTarget.load(source: source)
            if selected.contains("redis") && redis == nil {
                throw CommandFailure("--service redis needs REDIS_URL (environment or .env)")
            }
            let bound = Duration.milliseconds(Int64(timeout * 1000))
            // nsctl's client: a refused connection is reported at once, not retried until the deadline.
            let client = NodeEndpoint.client
            let vp = nodes.first { $0.service == "vp" }
            let (reports, figures, sentinel) = await withTaskGroup(of: (ServiceReport?, QueueFigures?, RedisSentinelStatus?).self) { group in
                for node in nodes {
                    group.addTask { (await HealthProbe.nodes(node.name, bases: node.urls, timeout: bound, client: client), nil, nil) }
                }
                if let redis, selected.contains("redis") {
                    group.addTask {
                        let (report, sentinel) = await RedisHealthProbe.check(redis, timeout: bound, probeKey: Self.redisProbeKey)
                        return (report, nil, sentinel)
                    }
                }
                if let vp {
                    group.addTask { (nil, await HealthProbe.queueFigures(base: vp.urls[0], timeout: bound, client: client), nil) }
                }
                var reports: [ServiceReport] = []
                var figures: QueueFigures?
                var sentinel: RedisSentinelStatus?
                for await (report, found, status) in group {
                    if let report { reports.append(report) }
                    if let found { figures = found }
                    if let status { sentinel = status }
                }
                return (reports, figures, sentinel)
            }
            let order = Self.services
            return HealthVerdict(
                reports: reports.sorted { order.firstIndex(of: HealthVerdict.label($0.service)) ?? 9 < order.firstIndex(of: HealthVerdict.label($1.service)) ?? 9 },
                queue: figures, checksDeadLetters: vp != nil,
                thresholds: .init(warning: .milliseconds(warningMs), critical: .milliseconds(criticalMs), dlqWarning: dlqWarning, dlqCritical: dlqCritical,
                                  storeWarning: storeWarning, storeCritical: storeCritical),
                secrets: secrets, sentinel: sentinel)
        }

        /// The ages of the secrets the `.env` assigns, by the dates in its text.
        private func secretAges(in dotEnv: (file: DotEnvFile, text: String), source: ConfigurationSource) throws -> SecretAges {
            do {
                return SecretAges(text: dotEnv.text, values: dotEnv.file.values, maxDays: try DaemonSettings.secretMaxAgeDays(source: source), now: Date())
            } catch {
                throw CommandFailure(error.description)
            }
        }

        /// The key the queue's own store check writes (its default namespace `ns`), so the check
        /// leaves no other key behind in the queue's Redis.
        static let redisProbeKey = RedisClient.storeProbeKey(prefix: "{ns}:")

        /// Reports the exit status to a dead-man's switch; a failed ping is noted on stderr and never changes the exit status.
        private func ping(_ base: String, status: Int32) async {
            var request = HTTPClientRequest(url: base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/\(status)")
            request.method = .POST
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                if response.status.code >= 300 {
                    FileHandle.standardError.write(Data("nsctl: --ping-url answered HTTP \(response.status.code); the check's exit status stands\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("nsctl: --ping-url failed (\(NodeCallError.noAnswer(error).reason)); the check's exit status stands\n".utf8))
            }
        }
    }
}

/// The `--json` form of a verdict.
enum HealthJSON {
    static func render(_ verdict: HealthVerdict) -> JSONValue {
        let services: [JSONValue] = verdict.reports.map { report in
            var fields: [String: JSONValue] = ["service": .string(report.service), "state": .string(verdict.state(of: report).name)]
            if let latency = report.latency { fields["latencyMs"] = .int(Int64((latency / .milliseconds(1)).rounded())) }
            switch report.outcome {
            case .up: fields["status"] = "up"
            case .degraded(let reason): fields["status"] = "degraded"; fields["reason"] = .string(reason)
            case .partlyDown(let reason): fields["status"] = "partly-down"; fields["reason"] = .string(reason)
            case .down(let reason): fields["status"] = "down"; fields["reason"] = .string(reason)
            }
            return .object(fields)
        }
        var fields: [String: JSONValue] = ["state": .string(verdict.state.name), "exitCode": .int(Int64(verdict.state.rawValue)),
                                           "services": .array(services), "summary": .string(verdict.statusLine)]
        if verdict.checksDeadLetters { fields["deadLetters"] = verdict.deadLetters.map { .int(Int64($0)) } ?? .null }
        if let percent = verdict.queue?.storePercent { fields["queueStorePercent"] = .int(Int64(percent.rounded())) }
        if let sentinel = verdict.sentinelJSON { fields["sentinel"] = sentinel }
        if let secrets = verdict.secrets, !secrets.entries.isEmpty {
            fields["secrets"] = .object([
                "state": .string(verdict.secretState.name), "maxAgeDays": .int(Int64(secrets.maxDays)),
                "ages": .object(Dictionary(uniqueKeysWithValues: secrets.entries.map { entry -> (String, JSONValue) in
                    (entry.name, entry.days.map { .int(Int64($0)) } ?? .null)
                })),
            ])
        }
        return .object(fields)
    }
}
