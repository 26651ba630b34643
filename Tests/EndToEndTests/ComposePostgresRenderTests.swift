import Foundation
import NSTestSupport
import Testing

/// The PostgreSQL variant `nsctl compose render` writes (docker-compose.postgres.yml,
/// prometheus.postgres.yml) and the secrets `nsctl secrets gen --postgres-secrets` makes for it:
/// checked by docker-compose and promtool, and read for what the variant promises.
@Suite("nsctl compose render: the PostgreSQL variant")
struct ComposePostgresRenderTests {
    static let ledgerNodes = ["ns-node-1", "ns-node-2"]
    static let nsNodeURL = "http://ns-node-1:3009,http://ns-node-2:3009"
    static let databaseSecrets = ["postgres_password", "database_url"]

    @Test("docker-compose accepts it: postgres with its secret, volume and health check; both ns-nodes share database_url and need no volume; NS_NODE_URL names both wherever ns-node is called")
    func composeFile() async throws {
        let compose = try ComposeRenderTests.tool("docker-compose")
        let folder = try await ComposeRenderTests.render()
        try ComposeRenderTests.writeDummySecrets(ComposeRenderTests.secretNames.map { $0.lowercased() } + Self.databaseSecrets, in: folder)
        let file = folder + "/docker-compose.postgres.yml"
        let quiet = try await ComposeRenderTests.run(compose, ["-f", file, "config", "-q"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        let config = try await ComposeRenderTests.composeConfig(compose, file: file)
        let services = try #require(config["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == Set(["postgres"] + Self.ledgerNodes + ComposeRenderTests.services.filter { $0 != "ns-node" }))

        let postgres = try #require(services["postgres"])
        #expect((postgres["image"] as? String)?.hasPrefix("postgres:15") == true)
        let postgresEnvironment = postgres["environment"] as? [String: Any] ?? [:]
        #expect(postgresEnvironment["POSTGRES_PASSWORD_FILE"] as? String == "/run/secrets/postgres_password")
        #expect(postgresEnvironment["POSTGRES_DB"] as? String == "neuroswarm")
        #expect(postgresEnvironment["POSTGRES_PASSWORD"] == nil)
        #expect(Self.mounted(postgres) == ["postgres_password"])
        #expect((postgres["command"] as? [String])?.joined(separator: " ").contains("-c synchronous_commit=on") == true)
        #expect(((postgres["healthcheck"] as? [String: Any])?["test"] as? [String])?.contains("pg_isready") == true)
        #expect(Self.volumes(postgres) == ["postgres-data:/var/lib/postgresql/data"])
        #expect(((postgres["deploy"] as? [String: Any])?["resources"] as? [String: Any])?["limits"] != nil)
        let volumes = config["volumes"] as? [String: [String: Any]] ?? [:]
        #expect(volumes["postgres-data"]?["name"] as? String == "neuroswarm_postgres-data")
        #expect(volumes["ns-node-data"] == nil && volumes["admin-node-data"] == nil, "the ledger and admin state are in the database: \(volumes.keys)")

        var addresses: Set<String> = []
        for name in Self.ledgerNodes {
            let node = try #require(services[name])
            let environment = node["environment"] as? [String: Any] ?? [:]
            #expect(environment["DATABASE_URL_FILE"] as? String == "/run/secrets/database_url", "\(name)")
            #expect(environment["DATABASE_URL"] == nil, "\(name) gets the URL as a file only")
            #expect(environment["NS_SIGNING_KEY_FILE"] as? String == "/run/secrets/ns_signing_key", "\(name) signs checkpoints with the one key")
            #expect(environment["VALIDATOR_PUBLIC_KEYS"] != nil, "\(name)")
            #expect(Self.mounted(node).isSuperset(of: ["database_url", "ns_signing_key", "internal_token"]), "\(name)")
            #expect(Self.volumes(node).isEmpty, "\(name) keeps nothing on disk: \(Self.volumes(node))")
            #expect(Set((node["depends_on"] as? [String: Any] ?? [:]).keys) == ["postgres"], "\(name)")
            #expect((node["command"] as? [String])?.joined(separator: " ").contains("--role ns") == true, "\(name)")
            let address = (node["networks"] as? [String: [String: Any]])?["neuroswarm-network"]?["ipv4_address"] as? String
            addresses.insert(try #require(address, "\(name)"))
        }
        #expect(addresses.count == 2, "each ns-node has its own address")

        let callers = services.filter { ($0.value["environment"] as? [String: Any])?["NS_NODE_URL"] != nil }
        #expect(Set(callers.keys) == ["gateway-node", "vp-node", "admin-node"])
        for (name, service) in callers {
            #expect((service["environment"] as? [String: Any])?["NS_NODE_URL"] as? String == Self.nsNodeURL, "\(name)")
            #expect(Set((service["depends_on"] as? [String: Any] ?? [:]).keys).isSuperset(of: Self.ledgerNodes), "\(name)")
        }
        let admin = try #require(services["admin-node"])
        #expect((admin["environment"] as? [String: Any])?["DATABASE_URL_FILE"] as? String == "/run/secrets/database_url")
        #expect(Self.volumes(admin).isEmpty)
        let declared = Set((config["secrets"] as? [String: Any] ?? [:]).keys)
        #expect(declared.isSuperset(of: Self.databaseSecrets), "\(declared)")
        #expect(Self.volumes(try #require(services["prometheus"])).contains { $0.contains("prometheus.postgres.yml") })
    }

    @Test("promtool accepts prometheus.postgres.yml, which scrapes both ns-nodes")
    func prometheusConfig() async throws {
        let promtool = try ComposeRenderTests.tool("promtool")
        let file = ComposeRenderTests.committed + "/prometheus.postgres.yml"
        let result = try Tools.run(promtool, ["check", "config", file])
        #expect(result.status == 0, "\(result.output)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for target in ["ns-node-1:3009", "ns-node-2:3009", "gateway-node:8080", "vp-node:3002", "admin-node:3000"] {
            #expect(text.contains("\"\(target)\""), "scrapes \(target)")
        }
        #expect(!text.contains("\"ns-node:3009\""))
    }

    @Test("secrets gen --postgres-secrets writes postgres_password and a database_url holding it, 0600 each, never printed; the header's recipe makes every secret the file declares")
    func secretFiles() async throws {
        let root = try Tools.temporaryDirectory("compose-postgres-secrets")
        let folder = root + "/compose"
        _ = try await ComposeRenderTests.render(into: folder)
        let secrets = folder + "/secrets"
        let made = try await NSCtlRunner.run(["secrets", "gen", "--postgres-secrets", secrets])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try NSCtlSecretsTests.mode(secrets) == 0o700)
        let password = try String(contentsOfFile: secrets + "/postgres_password", encoding: .utf8)
        let url = try String(contentsOfFile: secrets + "/database_url", encoding: .utf8)
        #expect(password.count == 24 && password.allSatisfy { $0.isLetter || $0.isNumber })
        #expect(url == "postgres://neuroswarm:\(password)@postgres:5432/neuroswarm?sslmode=disable")
        for name in Self.databaseSecrets { #expect(try NSCtlSecretsTests.mode(secrets + "/" + name) == 0o600, "\(name)") }
        #expect(!made.stdout.contains(password) && !made.stderr.contains(password), "\(made.stdout)")

        let refused = try await NSCtlRunner.run(["secrets", "gen", "--postgres-secrets", secrets])
        #expect(refused.status == 1 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: secrets + "/postgres_password", encoding: .utf8) == password)
        let forced = try await NSCtlRunner.run(["secrets", "gen", "--postgres-secrets", secrets, "--force", "--json"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let backups = try #require(LogLine.parse(forced.stdout)?["backups"] as? [String])
        #expect(backups.count == 2 && (try? String(contentsOfFile: backups[0], encoding: .utf8)) == password)
        let renewed = try String(contentsOfFile: secrets + "/postgres_password", encoding: .utf8)
        #expect(renewed != password)
        #expect(try String(contentsOfFile: secrets + "/database_url", encoding: .utf8).contains(":\(renewed)@"))
        let mixed = try await NSCtlRunner.run(["secrets", "gen", "--postgres-secrets", secrets, "--rotate", "JWT_SECRET"])
        #expect(mixed.status != 0 && mixed.stderr.contains("--postgres-secrets"), "\(mixed.stderr)")

        // The header's recipe, less the lines that need root, with the nsctl under test.
        try FileManager.default.removeItem(atPath: secrets)
        let file = folder + "/docker-compose.postgres.yml"
        let recipe = try ComposeRenderTests.headerRecipe(file, skipping: ["sudo ", "docker "])
        #expect(recipe.contains { $0.contains("--postgres-secrets") }, "\(recipe)")
        let nsctl = try NSDInstance.nsctl()
        let script = "nsctl() { \(nsctl) \"$@\"; }\ncd \(root)\n" + recipe.joined(separator: "\n")
        let ran = try Tools.run("/bin/bash", ["-euo", "pipefail", "-c", script])
        #expect(ran.status == 0, "\(ran.output)")
        let config = try await ComposeRenderTests.composeConfig(try ComposeRenderTests.tool("docker-compose"), file: file)
        for name in (config["secrets"] as? [String: Any] ?? [:]).keys {
            #expect(FileManager.default.fileExists(atPath: secrets + "/" + name), "the recipe makes \(name)")
        }
        let recipePassword = try String(contentsOfFile: secrets + "/postgres_password", encoding: .utf8)
        #expect(try String(contentsOfFile: secrets + "/database_url", encoding: .utf8).contains(":\(recipePassword)@postgres:5432/"))
    }

    @Test("--check exits 1 and names each new variant's file that differs")
    func checkCoversVariants() async throws {
        let folder = try await ComposeRenderTests.render()
        let altered = ["docker-compose.postgres.yml", "prometheus.postgres.yml", "docker-compose.ha.yml"]
        for name in altered {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/" + name))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("# edited by hand\n".utf8))
            try handle.close()
        }
        let check = try await NSCtlRunner.run(["compose", "render", "--check", "--out", folder])
        #expect(check.status == 1)
        #expect(Set(check.stdout.split(separator: "\n").map(String.init)) == Set(altered.map { "differs: \(folder)/\($0)" }), "\(check.stdout)")
    }

    static func mounted(_ service: [String: Any]) -> Set<String> {
        Set((service["secrets"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String })
    }

    /// The service's volumes as `source:target`, without compose's `:rw`.
    static func volumes(_ service: [String: Any]) -> [String] {
        (service["volumes"] as? [Any] ?? []).map { "\($0)".replacingOccurrences(of: ":rw", with: "") }
    }
}
