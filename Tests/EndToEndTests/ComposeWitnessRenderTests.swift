import Foundation
import NSCore
import NSTestSupport
import Testing

/// The witness variant `nsctl compose render` writes (docker-compose.witness.yml,
/// prometheus.witness.yml) and what `nsctl secrets gen --witness-secrets` makes for it: checked by
/// docker-compose and promtool, then run: ns-node and witness-node start from the rendered
/// services with the recipe's files and the printed settings, and the checkpoints ns-node serves
/// carry the witness's cosignature under the verifier key the command printed.
@Suite("nsctl compose render: the witness variant")
struct ComposeWitnessRenderTests {
    static let file = "docker-compose.witness.yml"

    @Test("docker-compose accepts it: witness-node with its key file, volume, loopback port and health check; ns-node gets WITNESSES; promtool scrapes the witness")
    func composeFile() async throws {
        let compose = try ComposeRenderTests.tool("docker-compose")
        let folder = try await ComposeRenderTests.render()
        try ComposeRenderTests.writeDummySecrets(ComposeRenderTests.secretNames.map { $0.lowercased() } + ["witness_signing_key"], in: folder)
        let quiet = try await ComposeRenderTests.run(compose, ["-f", folder + "/" + Self.file, "config", "-q"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        let config = try await ComposeRenderTests.composeConfig(compose, file: folder + "/" + Self.file)
        let services = try #require(config["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == Set(ComposeRenderTests.services + ["witness-node"]))

        let witness = try #require(services["witness-node"])
        #expect((witness["command"] as? [String])?.joined(separator: " ") == "run --role witness --data-dir /data")
        let environment = witness["environment"] as? [String: Any] ?? [:]
        #expect(environment["WITNESS_SIGNING_KEY_FILE"] as? String == "/run/secrets/witness_signing_key")
        #expect(environment["WITNESS_SIGNING_KEY"] == nil, "the key goes in as a file only")
        #expect(environment["WITNESS_NAME"] as? String == "witness.neuroswarm.local")
        #expect(environment["WITNESS_LOGS"] != nil && environment["PORT"] as? String == "3010")
        #expect(ComposePostgresRenderTests.mounted(witness) == ["witness_signing_key"])
        #expect(ComposePostgresRenderTests.volumes(witness) == ["witness-node-data:/data/witness-node-data"])
        let ports = (witness["ports"] as? [Any] ?? []).map { "\($0)" }
        #expect(ports == ["127.0.0.1:3010:3010/tcp"], "only on the host's loopback: \(ports)")
        #expect(((witness["healthcheck"] as? [String: Any])?["test"] as? [String])?.contains("http://127.0.0.1:3010/health") == true)
        #expect((config["volumes"] as? [String: [String: Any]])?["witness-node-data"]?["name"] as? String == "neuroswarm_witness-node-data")

        let ns = try #require(services["ns-node"])
        #expect((ns["environment"] as? [String: Any])?["WITNESSES"] != nil)
        #expect(!ComposePostgresRenderTests.mounted(ns).contains("witness_signing_key"), "the log never holds the witness's key")
        #expect(Set((ns["depends_on"] as? [String: Any] ?? [:]).keys).isEmpty, "ns-node does not wait for its witness")
        let dockerfile = try String(contentsOfFile: ComposeRenderTests.committed + "/Dockerfile", encoding: .utf8)
        #expect(dockerfile.contains("/data/witness-node-data") && dockerfile.contains("EXPOSE 3009 8080 3002 3000 3010"), "the image makes the witness's folder")

        let promtool = try ComposeRenderTests.tool("promtool")
        let scrape = ComposeRenderTests.committed + "/prometheus.witness.yml"
        let checked = try Tools.run(promtool, ["check", "config", scrape])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(try String(contentsOfFile: scrape, encoding: .utf8).contains("\"witness-node:3010\""))
        #expect(ComposePostgresRenderTests.volumes(try #require(services["prometheus"])).contains { $0.contains("prometheus.witness.yml") })
    }

    @Test("the header's recipe and secrets gen --witness-secrets make a working pair: ns-node's checkpoints carry the witness's cosignature")
    func recipeRuns() async throws {
        let compose = try ComposeRenderTests.tool("docker-compose")
        let root = try Tools.temporaryDirectory("compose-witness")
        let folder = root + "/compose"
        _ = try await ComposeRenderTests.render(into: folder)
        let nsctl = try NSDInstance.nsctl()
        let recipe = try ComposeRenderTests.headerRecipe(folder + "/" + Self.file, skipping: ["sudo ", "docker"])
        #expect(recipe.contains { $0.contains("--witness-secrets") }, "\(recipe)")
        let script = "nsctl() { \(nsctl) \"$@\"; }\ncd \(root)\n" + recipe.joined(separator: "\n")
        let ran = try Tools.run("/bin/bash", ["-euo", "pipefail", "-c", script])
        #expect(ran.status == 0, "\(ran.output)")
        let keyFile = folder + "/secrets/witness_signing_key"
        #expect(try NSCtlSecretsTests.mode(keyFile) == 0o600)
        let seed = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(!ran.output.contains(seed), "the seed is never printed")

        // The printed settings into compose/.env, as the header says, with the validator set.
        let printed = ran.output.split(separator: "\n").filter { $0.contains("=") && !$0.contains(" ") }.map(String.init)
        let settings = Dictionary(printed.map { line in (String(line.prefix { $0 != "=" }), String(line.drop { $0 != "=" }.dropFirst())) }) { $1 }
        #expect(Set(settings.keys) == ["WITNESS_NAME", "WITNESS_LOGS", "WITNESSES", "NS_WITNESSES"], "\(ran.output)")
        let secrets = try NSCtlSecretsTests.values(folder + "/secrets.env")
        let nsKey = try LedgerKey(name: "NS_SIGNING_KEY", seedBase64: try #require(secrets["NS_SIGNING_KEY"]))
        #expect(settings["WITNESS_LOGS"] == "\(LedgerSettings.defaultOrigin)=\(nsKey.publicKey.base64)")
        let pinned = try #require(settings["NS_WITNESSES"])
        let verifier = try #require(CosignatureVerifier(vkey: String(pinned.drop { $0 != "=" }.dropFirst())))
        #expect(settings["WITNESSES"] == "witness.neuroswarm.local@http://witness-node:3010=\(verifier.vkey)")
        let env = printed.filter { !$0.hasPrefix("NS_WITNESSES=") } + ["VALIDATOR_PUBLIC_KEYS=" + (secrets["VALIDATOR_PUBLIC_KEYS"] ?? "")]
        try Data((env.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/.env"))
        let services = try #require(try await ComposeRenderTests.composeConfig(compose, file: folder + "/" + Self.file)["services"] as? [String: [String: Any]])

        // witness-node and ns-node as the rendered services run them, on this host.
        let witnessPort = try Tools.freePort()
        var witnessEnvironment = ComposeRenderTests.environment(try #require(services["witness-node"]), secrets: folder + "/secrets")
        witnessEnvironment["PORT"] = String(witnessPort)
        let witness = try await NSDInstance(roles: ["witness"], environment: witnessEnvironment, arguments: ["--witness-port", String(witnessPort)])
        var nsEnvironment = ComposeRenderTests.environment(try #require(services["ns-node"]), secrets: folder + "/secrets")
        #expect(nsEnvironment["WITNESSES"] == settings["WITNESSES"])
        nsEnvironment["WITNESSES"] = nsEnvironment["WITNESSES"]?.replacingOccurrences(of: "http://witness-node:3010", with: "http://127.0.0.1:\(witnessPort)")
        let nsd = try await NSDInstance(roles: ["ns"], environment: nsEnvironment)
        let driver = LedgerDriver(nsd: nsd, token: try String(contentsOfFile: folder + "/secrets/internal_token", encoding: .utf8),
                                  producer: try LedgerKey(name: "VP_SIGNING_KEY", seedBase64: try #require(secrets["VP_SIGNING_KEY"])))
        #expect(try await driver.produce(LedgerDriver.txs(4)).status == 201)
        let note = try await WitnessCosigningTests.checkpoint(driver, size: 4, cosignedBy: [verifier.name], verifiers: [verifier])
        #expect(try Checkpoint.verify(note: note, name: LedgerSettings.defaultOrigin, publicKey: nsKey.publicKey).size == 4)
        #expect(await nsd.stop() == 0)
        #expect(await witness.stop() == 0)
    }

    @Test("--witness-secrets refuses to replace a key without --force, needs the log's .env, and checks --witness-name; a refusal writes nothing")
    func refusals() async throws {
        let root = try Tools.temporaryDirectory("witness-secrets")
        let missing = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets", "--env-file", "absent.env"], directory: root)
        #expect(missing.status == 1 && missing.stderr.contains("absent.env does not exist") && missing.stderr.contains("nsctl secrets gen"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/secrets/witness_signing_key"))
        let badName = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets", "--witness-name", "a b"], directory: root)
        #expect(badName.status == 64 && badName.stderr.contains("--witness-name"), "\(badName.stderr)")
        let mixed = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets", "--postgres-secrets", "pg"], directory: root)
        #expect(mixed.status == 64 && mixed.stderr.contains("--witness-secrets"), "\(mixed.stderr)")

        #expect(try await NSCtlRunner.run(["secrets", "gen"], directory: root).status == 0)
        let made = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets", "--witness-name", "w.example.org/1", "--json"], directory: root)
        #expect(made.status == 0, "\(made.stderr)")
        let settings = try #require(LogLine.parse(made.stdout)?["settings"] as? [String: String])
        #expect(settings["WITNESS_NAME"] == "w.example.org/1" && settings["WITNESSES"]?.hasPrefix("w.example.org/1@http://witness-node:3010=w.example.org/1+") == true)
        let seed = try String(contentsOfFile: root + "/secrets/witness_signing_key", encoding: .utf8)
        #expect(try NSCtlSecretsTests.mode(root + "/secrets/witness_signing_key") == 0o600)
        #expect(try NSCtlSecretsTests.mode(root + "/secrets") == 0o700)
        let pinned = try #require(settings["NS_WITNESSES"])
        let seedKey = try LedgerKey(name: "seed", seedBase64: seed)
        #expect(CosignatureVerifier(vkey: String(pinned.dropFirst("w.example.org/1=".count)))?.publicKey == seedKey.publicKey)

        let again = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets"], directory: root)
        #expect(again.status == 1 && again.stderr.contains("--force"), "\(again.stderr)")
        #expect(try String(contentsOfFile: root + "/secrets/witness_signing_key", encoding: .utf8) == seed)
        let forced = try await NSCtlRunner.run(["secrets", "gen", "--witness-secrets", "secrets", "--force"], directory: root)
        #expect(forced.status == 0 && forced.stdout.contains("previous key kept as"), "\(forced.stdout)")
        #expect(try String(contentsOfFile: root + "/secrets/witness_signing_key", encoding: .utf8) != seed)
    }
}
