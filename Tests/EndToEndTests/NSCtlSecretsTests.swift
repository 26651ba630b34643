import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("nsctl secrets, env check and tokens")
struct NSCtlSecretsTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    static func values(_ path: String) throws -> [String: String] {
        try #require(try DotEnvFile.load(path: path)).values
    }

    @Test("secrets gen writes a 0600 .env that nsd runs with in production; no overwrite without --force, which keeps a 0600 backup")
    func generate() async throws {
        let folder = try Tools.temporaryDirectory("nsctl-secrets")
        let path = folder + "/.env"
        let first = try await NSCtlRunner.run(["secrets", "gen", "--env-file", path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.mode(path) == 0o600)
        let values = try Self.values(path)
        for name in ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN"] {
            #expect(values[name]?.count == 64 && values[name]?.allSatisfy(\.isHexDigit) == true, "\(name)")
        }
        #expect(Set([values["JWT_SECRET"], values["ADMIN_JWT_SECRET"], values["SESSION_SECRET"], values["INTERNAL_TOKEN"]]).count == 4)
        let password = try #require(values["GRAFANA_ADMIN_PASSWORD"])
        #expect(password.count == 24 && password.allSatisfy { $0.isLetter || $0.isNumber })
        let producer = try LedgerKey(name: "vp", seedBase64: try #require(values["VP_SIGNING_KEY"]))
        #expect(values["VALIDATOR_PUBLIC_KEYS"] == "vp-node=\(producer.publicKey.base64)")
        _ = try LedgerKey(name: "ns", seedBase64: try #require(values["NS_SIGNING_KEY"]))
        for name in ["NODE_ENV", "RATE_LIMIT_WINDOW_MS", "RATE_LIMIT_MAX_REQUESTS", "ENABLE_CORS", "CORS_ORIGIN", "NS_CHECK_RETRIES",
                     "NS_CHECK_EXIT_ON_FAIL", "JOB_QUEUE_WORKERS", "JOB_TIMEOUT_MS", "JOB_MAX_RETRIES", "SANDBOX_TIMEOUT_MS",
                     "SANDBOX_MAX_MEMORY_MB", "ENABLE_METRICS", "LOG_LEVEL"] {
            #expect(values[name] != nil, "\(name) is written with its default")
        }
        let check = try await NSCtlRunner.run(["env", "check", "--env-file", path])
        #expect(check.status == 0 && check.stdout.contains("OK"), "\(check.stdout)")

        let original = try String(contentsOfFile: path, encoding: .utf8)
        let refused = try await NSCtlRunner.run(["secrets", "gen", "--env-file", path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)

        let forced = try await NSCtlRunner.run(["secrets", "gen", "--env-file", path, "--force", "--json"])
        #expect(forced.status == 0)
        let backup = try #require(LogLine.parse(forced.stdout)?["backup"] as? String)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == original)
        #expect(try Self.mode(backup) == 0o600)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.values(path)["JWT_SECRET"] != values["JWT_SECRET"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)

        // The generated file is a complete production configuration.
        let nsd = try await NSDInstance(arguments: ["--env-file", path])
        #expect(nsd.child.stdoutLines.contains { $0.contains("\"mode\":\"production\"") })
        #expect(await nsd.stop() == 0)
    }

    @Test("token create mints gateway tokens; rotating JWT_SECRET keeps old tokens valid through JWT_SECRET_PREVIOUS")
    func rotation() async throws {
        let folder = try Tools.temporaryDirectory("nsctl-rotate")
        let path = folder + "/.env"
        #expect(try await NSCtlRunner.run(["secrets", "gen", "--env-file", path]).status == 0)
        let before = try Self.values(path)
        let oldToken = try await NSCtlRunner.run(["token", "create", "--sub", "alice", "--ttl", "2h"], directory: folder)
        #expect(oldToken.status == 0, "\(oldToken.stderr)")
        let old = oldToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(old.split(separator: ".").count == 3)

        let data = try Tools.temporaryDirectory("nsctl-rotate-data")
        var nsd = try await NSDInstance(arguments: ["--env-file", path], dataDirectory: data)
        #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: old, content: "before rotation").status == 202)
        #expect(await nsd.stop() == 0)

        let rotated = try await NSCtlRunner.run(["secrets", "gen", "--env-file", path, "--rotate", "JWT_SECRET"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let after = try Self.values(path)
        #expect(after["JWT_SECRET_PREVIOUS"] == before["JWT_SECRET"])
        #expect(after["JWT_SECRET"] != before["JWT_SECRET"])
        #expect(after["ADMIN_JWT_SECRET"] == before["ADMIN_JWT_SECRET"], "only the named secret changes")
        #expect(try Self.mode(path) == 0o600)

        let fresh = try await NSCtlRunner.run(["token", "create", "--sub", "bob", "--role", "admin", "--env-file", path])
        let new = fresh.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        nsd = try await NSDInstance(arguments: ["--env-file", path], dataDirectory: data)
        #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: old, content: "old token after rotation").status == 202)
        #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: new, content: "new token").status == 202)
        #expect(try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "eve"), content: "forged").status == 401)
        #expect(await nsd.stop() == 0)
    }

    @Test("env check names every problem at once and exits 1; token create refuses bad input in one line")
    func problems() async throws {
        let folder = try Tools.temporaryDirectory("nsctl-check")
        let path = folder + "/.env"
        try """
            NODE_ENV=production
            JWT_SECRET=short
            ADMIN_JWT_SECRET=\(String(repeating: "a", count: 64))
            INTERNAL_TOKEN=\(String(repeating: "b", count: 64))
            GRAFANA_ADMIN_PASSWORD=Str0ngEnoughPassw0rd
            CORS_ORIGIN=*
            RATE_LIMIT_MAX_REQUESTS=lots
            LOG_LEVEL=loud
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try await NSCtlRunner.run(["env", "check", "--env-file", path, "--json"])
        #expect(check.status == 1)
        let report = try #require(LogLine.parse(check.stdout))
        let named = Set((report["problems"] as? [[String: Any]] ?? []).compactMap { $0["variable"] as? String })
        #expect(named.isSuperset(of: ["JWT_SECRET", "SESSION_SECRET", "CORS_ORIGIN", "RATE_LIMIT_MAX_REQUESTS", "LOG_LEVEL"]), "\(named)")
        #expect(!check.stdout.contains("short\""), "secret values are never printed")

        let tooLong = try await NSCtlRunner.run(["token", "create", "--sub", "a", "--ttl", "40d", "--env-file", path])
        #expect(tooLong.status == 64)
        #expect(tooLong.stderr.contains("30d"))
        let noSecret = try await NSCtlRunner.run(["token", "create", "--sub", "a"], directory: try Tools.temporaryDirectory("nsctl-empty"))
        #expect(noSecret.status == 78)
        #expect(noSecret.stderr.split(separator: "\n").count == 1 && noSecret.stderr.contains("JWT_SECRET is not set"))
        let weak = try await NSCtlRunner.run(["token", "create", "--sub", "a", "--env-file", path])
        #expect(weak.status == 78 && weak.stderr.contains("shorter than 32 bytes"))
    }
}
