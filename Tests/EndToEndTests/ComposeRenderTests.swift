import Foundation
import NSTestSupport
import Testing

/// `nsctl compose render`: the committed `compose/` files against a fresh render, the real
/// validators (docker-compose, promtool), and live nodes (the dashboard's metric names, and
/// each node starting in production with exactly what the compose file gives it).
@Suite("nsctl compose render")
struct ComposeRenderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let committed = repository + "/compose"
    static let files = ["docker-compose.production.yml", "prometheus.yml", "docker-compose.tls.yml", "prometheus.tls.yml",
                        "docker-compose.postgres.yml", "prometheus.postgres.yml", "docker-compose.ha.yml", "docker-compose.witness.yml",
                        "prometheus.witness.yml", "grafana/dashboards/neuroswarm.json",
                        "grafana/provisioning/datasources/prometheus.yml", "grafana/provisioning/dashboards/neuroswarm.yml",
                        ".env.example", "Dockerfile", "Dockerfile.dockerignore", ".gitignore"]
    static let nodes = ["ns-node", "gateway-node", "vp-node", "admin-node"]
    static let services = nodes + ["redis", "prometheus", "grafana"]
    static let secretNames = ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN", "GRAFANA_ADMIN_PASSWORD",
                              "NS_SIGNING_KEY", "VP_SIGNING_KEY", "LEDGER_SUBMITTER_KEY",
                              "JWT_SECRET_PREVIOUS", "ADMIN_JWT_SECRET_PREVIOUS", "SESSION_SECRET_PREVIOUS", "INTERNAL_TOKEN_PREVIOUS"]

    @Test("the committed compose/ files are current: --check passes and a fresh render is byte-identical")
    func committedFilesAreCurrent() async throws {
        let check = try await NSCtlRunner.run(["compose", "render", "--check", "--out", Self.committed])
        #expect(check.status == 0, "compose/ is stale; run `nsctl compose render` and commit it: \(check.stdout)\(check.stderr)")
        let fresh = try await Self.render()
        for file in Self.files {
            let rendered = try Data(contentsOf: URL(fileURLWithPath: fresh + "/" + file))
            #expect(!rendered.isEmpty, "\(file)")
            #expect(rendered == (try? Data(contentsOf: URL(fileURLWithPath: Self.committed + "/" + file))), "\(file) differs from compose/")
        }
        let written = FileManager.default.enumerator(atPath: fresh)?.compactMap { $0 as? String }
            .filter { !Self.isDirectory(fresh + "/" + $0) } ?? []
        #expect(Set(written) == Set(Self.files), "the render writes exactly the listed files")
        let again = try await NSCtlRunner.run(["compose", "render", "--check", "--out", fresh])
        #expect(again.status == 0, "rendering is byte-stable: \(again.stdout)")
    }

    @Test("--check exits 1 and names each altered or missing file, and only those")
    func checkNamesDifferences() async throws {
        let folder = try await Self.render()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/prometheus.yml"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("# edited by hand\n".utf8))
        try handle.close()
        try FileManager.default.removeItem(atPath: folder + "/.env.example")
        let check = try await NSCtlRunner.run(["compose", "render", "--check", "--out", folder])
        #expect(check.status == 1)
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["differs: \(folder)/prometheus.yml", "missing: \(folder)/.env.example"], "\(check.stdout)")
        #expect(check.stderr.contains("2 of \(Self.files.count) files"), "\(check.stderr)")
        let rewrite = try await NSCtlRunner.run(["compose", "render", "--out", folder])
        #expect(rewrite.status == 0 && rewrite.stdout.contains("wrote \(folder)/prometheus.yml"))
        #expect(try await NSCtlRunner.run(["compose", "render", "--check", "--out", folder]).status == 0)
    }

    @Test("docker-compose accepts the file: seven services, fixed addresses, health ordering, loopback ports, file secrets")
    func dockerComposeConfig() async throws {
        let compose = try Self.tool("docker-compose")
        let folder = try await Self.render()
        try Self.writeDummySecrets(Self.secretNames.map { $0.lowercased() }, in: folder)
        let file = folder + "/docker-compose.production.yml"
        let quiet = try await Self.run(compose, ["-f", file, "config", "-q"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        let config = try await Self.composeConfig(compose, file: file)

        let services = try #require(config["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == Set(Self.services))
        let addresses = ["ns-node": "172.20.0.10", "redis": "172.20.0.15", "gateway-node": "172.20.0.20", "vp-node": "172.20.0.30",
                         "admin-node": "172.20.0.40", "prometheus": "172.20.0.50", "grafana": "172.20.0.51"]
        let order = ["gateway-node": ["ns-node", "redis"], "vp-node": ["ns-node", "redis"], "admin-node": ["ns-node"], "grafana": ["prometheus"]]
        for (name, service) in services {
            let network = (service["networks"] as? [String: Any])?["neuroswarm-network"] as? [String: Any]
            #expect(network?["ipv4_address"] as? String == addresses[name], "\(name)")
            let logging = service["logging"] as? [String: Any]
            #expect(logging?["driver"] as? String == "json-file", "\(name)")
            #expect(logging?["options"] as? [String: String] == ["max-size": "10m", "max-file": "3"], "\(name)")
            #expect(((service["healthcheck"] as? [String: Any])?["test"] as? [String])?.first == "CMD", "\(name) has a health check")
            let resources = (service["deploy"] as? [String: Any])?["resources"] as? [String: [String: Any]]
            #expect(resources?["limits"]?["memory"] != nil && resources?["reservations"]?["cpus"] != nil, "\(name)")
            let dependsOn = service["depends_on"] as? [String: [String: String]] ?? [:]
            #expect(Set(dependsOn.keys) == Set(order[name] ?? []), "\(name)")
            #expect(dependsOn.values.allSatisfy { $0["condition"] == "service_healthy" }, "\(name)")
            let ports = service["ports"] as? [Any] ?? []
            #expect(ports.count == 1, "\(name)")
            let binding = ports.first.map { "\($0)" } ?? ""
            #expect(name == "gateway-node" ? !binding.contains("127.0.0.1") : binding.hasPrefix("127.0.0.1:"), "\(name): \(binding)")
            let environment = service["environment"] as? [String: Any] ?? [:]
            #expect(Set(environment.keys).isDisjoint(with: Self.secretNames), "\(name) gets no secret as a plain value")
            let mounted = Set((service["secrets"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String })
            for case (let key, let path as String) in environment where key.hasSuffix("_FILE") {
                #expect(path.hasPrefix("/run/secrets/") && mounted.contains(String(path.dropFirst("/run/secrets/".count))), "\(name) \(key)")
            }
        }
        #expect(services["gateway-node"].map { "\($0["ports"] ?? "")" }?.contains("8080") == true)
        let redis = (services["redis"]?["command"] as? [String])?.joined(separator: " ") ?? ""
        #expect(redis.contains("--maxmemory-policy noeviction") && redis.contains("--appendonly yes") && redis.contains("--maxmemory 2gb"))
        let network = (config["networks"] as? [String: [String: Any]])?["neuroswarm-network"]
        let subnets = ((network?["ipam"] as? [String: Any])?["config"] as? [[String: Any]])?.compactMap { $0["subnet"] as? String }
        #expect(subnets == ["172.20.0.0/16"])
        #expect(Set((config["volumes"] as? [String: Any])?.keys.map { $0 } ?? []) ==
                ["ns-node-data", "vp-node-data", "admin-node-data", "redis-data", "prometheus-data", "grafana-data"])
        #expect((config["secrets"] as? [String: Any])?.count == Self.secretNames.count)
    }

    @Test("promtool accepts prometheus.yml, which scrapes every node, and parses every dashboard query; Grafana's data source is the dashboard's")
    func prometheusConfig() async throws {
        let promtool = try Self.tool("promtool")
        let file = Self.committed + "/prometheus.yml"
        let result = try Tools.run(promtool, ["check", "config", file])
        #expect(result.status == 0, "\(result.output)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for target in ["ns-node:3009", "gateway-node:8080", "vp-node:3002", "admin-node:3000"] {
            #expect(text.contains("\"\(target)\""), "scrapes \(target)")
        }
        let datasource = try String(contentsOfFile: Self.committed + "/grafana/provisioning/datasources/prometheus.yml", encoding: .utf8)
        #expect(datasource.contains("uid: prometheus") && datasource.contains("http://prometheus:9090"))
        let uids = Set(try Self.dashboardPanels().compactMap { ($0["datasource"] as? [String: Any])?["uid"] as? String })
        #expect(uids == ["prometheus"])
        // Every dashboard query must be valid PromQL: promtool parses them as recording rules
        // (JSON is YAML, given no \/ escapes), with Grafana's $__rate_interval replaced by a fixed window.
        let exprs = try Self.dashboardPanels().flatMap { $0["targets"] as? [[String: Any]] ?? [] }.compactMap { $0["expr"] as? String }
        #expect(exprs.count >= 15, "\(exprs.count) queries")
        let rules = exprs.enumerated().map { ["record": "dashboard:query_\($0.offset)", "expr": $0.element.replacingOccurrences(of: "$__rate_interval", with: "1m")] }
        let rulesFile = try Tools.temporaryDirectory("compose-rules") + "/dashboard-rules.yml"
        try JSONSerialization.data(withJSONObject: ["groups": [["name": "dashboard", "rules": rules]]], options: .withoutEscapingSlashes).write(to: URL(fileURLWithPath: rulesFile))
        let parsed = try Tools.run(promtool, ["check", "rules", rulesFile])
        #expect(parsed.status == 0 && parsed.output.contains("\(exprs.count) rules found"), "\(parsed.output)")
    }

    @Test("every metric the dashboard queries is exported by the live nodes")
    func dashboardMetricsExist() async throws {
        #expect(Self.metricNames(in: #"histogram_quantile(0.95, sum by (le, service) (rate(a_bucket{route!~"/x|/y"}[$__rate_interval]))) / b"#)
                == ["a_bucket", "b"], "the extractor itself")
        let queried = try Self.dashboardPanels().flatMap { $0["targets"] as? [[String: Any]] ?? [] }
            .compactMap { $0["expr"] as? String }.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1)) }
        let expected: Set = ["ns_http_request_duration_seconds_bucket", "ns_http_requests_total", "ns_queue_jobs", "ns_jobs_enqueued_total",
                             "ns_jobs_completed_total", "ns_sanitiser_cache_hits_total", "ns_sanitiser_cache_misses_total",
                             "ns_blocks_produced_total", "process_resident_memory_bytes", "process_cpu_seconds_total"]
        #expect(queried.isSuperset(of: expected), "missing: \(expected.subtracting(queried))")

        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret])
        let token = ClientToken.make(sub: "compose-dashboard")
        for content in ["compose dashboard artifact", "compose dashboard artifact", "another artifact"] {
            #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: token, content: content).status == 202)
        }
        // Counters made on first use (completed jobs, produced blocks) appear once the pipeline ran.
        for _ in 0..<150 {
            let vp = try await Fetched.get(nsd.url("vp-node", "/metrics")).body
            if vp.contains("ns_blocks_produced_total") && vp.contains("ns_jobs_completed_total") && vp.contains("ns_job_duration_seconds_bucket") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        var exported: Set<String> = []
        var histograms: Set<String> = []
        for node in Self.nodes {
            for line in try await Fetched.get(nsd.url(node, "/metrics")).body.split(separator: "\n") {
                if line.hasPrefix("# TYPE "), line.hasSuffix(" histogram") { histograms.insert(String(line.split(separator: " ")[2])) }
                if !line.hasPrefix("#"), let name = line.split(whereSeparator: { $0 == "{" || $0 == " " }).first { exported.insert(String(name)) }
            }
        }
        #expect(await nsd.stop() == 0)
        for name in queried.sorted() {
            #expect(exported.contains(name), "the dashboard queries \(name), which no node exports")
            if name.hasSuffix("_bucket") {
                #expect(histograms.contains(String(name.dropLast("_bucket".count))), "\(name) belongs to a histogram")
            }
        }
    }

    @Test("each node starts in production with the compose environment, the documented secret files and .env")
    func nodesStartInProduction() async throws {
        let compose = try Self.tool("docker-compose")
        let root = try Tools.temporaryDirectory("compose-deploy")
        let folder = root + "/compose"
        _ = try await Self.render(into: folder)
        #expect(try await NSCtlRunner.run(["secrets", "gen", "--env-file", "compose/secrets.env"], directory: root).status == 0)
        // Run the recipe from the compose file's header, less the chown lines that need root.
        let file = folder + "/docker-compose.production.yml"
        let recipe = try Self.headerRecipe(file, skipping: ["sudo ", "nsctl secrets gen"])
        #expect(recipe.count >= 5, "\(recipe)")
        let split = try Tools.run("/bin/bash", ["-euo", "pipefail", "-c", "cd \(root) && " + recipe.joined(separator: "\n")])
        #expect(split.status == 0, "\(split.output)")
        let generated = try #require(try? String(contentsOfFile: folder + "/secrets.env", encoding: .utf8))
        let validators = try #require(generated.split(separator: "\n").first { $0.hasPrefix("VALIDATOR_PUBLIC_KEYS=") })
        try Data((validators + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/.env"))
        let services = try #require(try await Self.composeConfig(compose, file: file)["services"] as? [String: [String: Any]])

        let redis = try await RedisServer()
        let nsPort = try Tools.freePort()
        var running: [NSDInstance] = []
        for name in ["ns-node", "vp-node", "gateway-node", "admin-node"] {
            let service = try #require(services[name])
            let command = service["command"] as? [String] ?? []
            let role = try #require(command.firstIndex(of: "--role").map { command[$0 + 1] })
            var environment = Self.environment(service, secrets: folder + "/secrets")
            #expect(environment["NODE_ENV"] == "production")
            if name == "ns-node" { #expect(environment["VALIDATOR_PUBLIC_KEYS"] == String(validators.dropFirst("VALIDATOR_PUBLIC_KEYS=".count))) }
            if environment["NS_NODE_URL"] != nil { environment["NS_NODE_URL"] = "http://127.0.0.1:\(nsPort)" }
            if environment["REDIS_URL"] != nil { environment["REDIS_URL"] = redis.url }
            let node = try await NSDInstance(roles: [role], environment: environment, nsPort: role == "ns" ? nsPort : 0)
            running.append(node)
            let health = try await Fetched.get(node.url(name, "/health"))
            #expect(health.status == 200, "\(name): \(health.body)")
        }
        for node in running.reversed() { #expect(await node.stop() == 0) }
        await redis.stop()
    }
}

extension ComposeRenderTests {
    /// A rendered service's environment with `/run/secrets/...` paths pointing into `secrets`.
    static func environment(_ service: [String: Any], secrets: String) -> [String: String] {
        var environment: [String: String] = [:]
        for (key, value) in service["environment"] as? [String: Any] ?? [:] {
            let text = "\(value)"
            environment[key] = text.hasPrefix("/run/secrets/") ? secrets + "/" + text.dropFirst("/run/secrets/".count) : text
        }
        return environment
    }

    struct MissingTool: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is not installed: run scripts/install-deps" }
    }

    /// A validator the tests need; its absence fails the test rather than skipping it.
    static func tool(_ name: String) throws -> String {
        do { return try Tools.which(name) } catch { throw MissingTool(name: name) }
    }

    /// Placeholder files for `names` under `folder/secrets`, as a real deployment has its secrets,
    /// so docker-compose validates nothing against a gap.
    static func writeDummySecrets(_ names: [String], in folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder + "/secrets", withIntermediateDirectories: true)
        for name in names { try Data("dummy\n".utf8).write(to: URL(fileURLWithPath: folder + "/secrets/" + name)) }
    }

    static func render(into folder: String? = nil) async throws -> String {
        let folder = try folder ?? Tools.temporaryDirectory("compose-render")
        let result = try await NSCtlRunner.run(["compose", "render", "--out", folder])
        try #require(result.status == 0, "\(result.stderr)")
        return folder
    }

    /// The commands of the recipe in a rendered compose file's header (its `#   ` lines), less
    /// those containing any of `skipping` (what needs root or docker).
    static func headerRecipe(_ file: String, skipping: [String]) throws -> [Substring] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            .filter { line in line.hasPrefix("#   ") && !skipping.contains { line.contains($0) } }.map { $0.dropFirst(4) }
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> NSCtlRunner.Outcome {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: NSDInstance.environment([:]))
        let status = await child.waitForExit(timeout: .seconds(60))
        return NSCtlRunner.Outcome(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// `docker-compose config` (variables substituted, paths resolved) as JSON objects, read with
    /// the PyYAML that docker-compose itself depends on.
    static func composeConfig(_ compose: String, file: String) async throws -> [String: Any] {
        let config = try await run(compose, ["-f", file, "config"])
        try #require(config.status == 0, "\(config.stderr)")
        let yamlFile = file + ".resolved"
        try Data(config.stdout.utf8).write(to: URL(fileURLWithPath: yamlFile))
        let json = try Tools.run(try tool("python3"), ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", yamlFile])
        try #require(json.status == 0, "\(json.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
    }

    static func dashboardPanels() throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: committed + "/grafana/dashboards/neuroswarm.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (dashboard["panels"] as? [[String: Any]] ?? []).filter { $0["type"] as? String != "row" }
    }

    /// The metric names in a PromQL expression: identifiers left once strings, label matchers,
    /// range windows and `by (...)` lists are removed, less function and aggregation calls.
    static func metricNames(in expr: String) -> Set<String> {
        let text = expr.replacing(/"(?:[^"\\]|\\.)*"/, with: "\"\"")
            .replacing(/\{[^}]*\}/, with: " ").replacing(/\[[^\]]*\]/, with: " ")
            .replacing(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/, with: " ")
        let keywords: Set = ["and", "or", "unless", "bool", "offset", "inf", "nan"]
        var names: Set<String> = []
        for match in text.matches(of: /([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/) where match.output.2 == nil {
            let name = String(match.output.1)
            if !keywords.contains(name.lowercased()) { names.insert(name) }
        }
        return names
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
