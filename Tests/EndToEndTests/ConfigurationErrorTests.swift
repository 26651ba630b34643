import Foundation
import NSTestSupport
import Testing

@Suite("nsd refuses bad configuration with exit 78")
struct ConfigurationErrorTests {
    struct Outcome {
        let status: Int32?
        let stdout: String
        let stderr: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) async throws -> Outcome {
        let folder = try directory ?? Tools.temporaryDirectory("nsd-config")
        let child = try ChildProcess(executable: try NSDInstance.binary(),
                                     arguments: ["run", "--data-dir", folder + "/data", "--gateway-port", "0", "--ns-port", "0", "--vp-port", "0", "--admin-port", "0"] + arguments,
                                     environment: NSDInstance.environment(environment), directory: folder)
        let status = await child.waitForExit(timeout: .seconds(20))
        return Outcome(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    @Test("each class of error names the variable in one line", arguments: [
        (["JOB_QUEUE_WORKERS": "lots"], "JOB_QUEUE_WORKERS"),
        (["RATE_LIMIT_WINDOW_MS": "-5"], "RATE_LIMIT_WINDOW_MS"),
        (["ENABLE_CORS": "sometimes"], "ENABLE_CORS"),
        (["NODE_ENV": "prod"], "NODE_ENV"),
        (["NS_NODE_URL": "not a url"], "NS_NODE_URL"),
        (["JWT_SECRET": "a", "JWT_SECRET_FILE": "/etc/hostname"], "JWT_SECRET"),
        (["SESSION_SECRET_FILE": "/nonexistent/secret"], "SESSION_SECRET_FILE"),
        (["DB_PATH": "/proc/neuroswarm/chain.db"], "DB_PATH"),
        (["NODE_ENV": "production"], "NS_SIGNING_KEY"),
        (["NODE_ENV": "production", "NS_SIGNING_KEY": "not-base64!"], "NS_SIGNING_KEY"),
        (["REDIS_MIN_REPLICAS": "one"], "REDIS_MIN_REPLICAS"),
        (["REDIS_MIN_REPLICAS": "1"], "REDIS_MIN_REPLICAS"),
        (["REDIS_WAIT_TIMEOUT_MS": "0"], "REDIS_WAIT_TIMEOUT_MS"),
        (["LEDGER_PREVIEW": "full"], "LEDGER_PREVIEW"),
        (["LEDGER_SUBMITTER": "sha256"], "LEDGER_SUBMITTER"),
    ])
    func exits78(environment: [String: String], variable: String) async throws {
        let outcome = try await run([], environment: environment)
        #expect(outcome.status == 78, "stdout: \(outcome.stdout) stderr: \(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("nsd: configuration error: \(variable)") == true, "\(outcome.stderr)")
    }

    @Test("a short production secret is refused and never printed")
    func secretNeverPrinted() async throws {
        let secret = "short-but-secret-Zq81x"
        let outcome = try await run(["--role", "gateway"], environment: ["NODE_ENV": "production", "JWT_SECRET": secret, "CORS_ORIGIN": "https://a.example",
                                                                     "INTERNAL_TOKEN": String(repeating: "t", count: 40)])
        #expect(outcome.status == 78)
        #expect(outcome.stderr.contains("JWT_SECRET is shorter than 32 bytes"))
        #expect(!outcome.stderr.contains(secret) && !outcome.stdout.contains(secret))
    }

    @Test("a development secret that is too short runs, with a warning that never shows it; a short token key never runs")
    func developmentWarning() async throws {
        let secret = "dev-short-secret-Kp2"
        let nsd = try await NSDInstance(roles: ["gateway"], environment: ["INTERNAL_TOKEN": secret, "NS_NODE_URL": "http://127.0.0.1:9"])
        #expect(await nsd.stop() == 0)
        #expect(nsd.child.stdout.contains("INTERNAL_TOKEN is shorter than 32 bytes"))
        #expect(!nsd.child.stdout.contains(secret) && !nsd.child.stderr.contains(secret))
        let refused = try await run(["--role", "gateway"], environment: ["JWT_SECRET": secret])
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("JWT_SECRET is shorter than 32 bytes (RFC 7518"))
        #expect(!refused.stderr.contains(secret))
    }

    @Test("./.env is read after the environment, which overrides it")
    func dotEnvPrecedence() async throws {
        let folder = try Tools.temporaryDirectory("nsd-dotenv")
        try "JOB_QUEUE_WORKERS=bogus\n".write(toFile: folder + "/.env", atomically: true, encoding: .utf8)
        let fromFile = try await run(["--role", "ns"], directory: folder)
        #expect(fromFile.status == 78)
        #expect(fromFile.stderr.contains("JOB_QUEUE_WORKERS=\"bogus\" (.env)"), "\(fromFile.stderr)")

        let nsd = try await NSDInstance(roles: ["ns"], environment: ["JOB_QUEUE_WORKERS": "4"], directory: folder)
        #expect(await nsd.stop() == 0)
    }

    @Test("a malformed .env line and a missing --env-file are configuration errors")
    func dotEnvFileErrors() async throws {
        let folder = try Tools.temporaryDirectory("nsd-dotenv")
        try "GOOD=1\nthis line is wrong\n".write(toFile: folder + "/.env", atomically: true, encoding: .utf8)
        let malformed = try await run(["--role", "ns"], directory: folder)
        #expect(malformed.status == 78)
        #expect(malformed.stderr.contains(".env:2"))

        let missing = try await run(["--role", "ns", "--env-file", "/nonexistent/prod.env"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("--env-file"))
    }

    @Test("flags are checked before anything starts: --port needs exactly one role")
    func portNeedsOneRole() async throws {
        let outcome = try await run(["--port", "0"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("--port applies to exactly one --role"))
    }
}
