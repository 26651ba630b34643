import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("configuration layers")
struct ConfigurationSourceTests {
    @Test("flags beat the environment, which beats .env, which beats defaults")
    func precedence() throws {
        let dotEnv = try DotEnvFile(parsing: "JOB_QUEUE_WORKERS=7\nJOB_MAX_RETRIES=5\nJOB_TIMEOUT_MS=1000\n", path: ".env")
        let source = ConfigurationSource(
            flags: ["JOB_QUEUE_WORKERS": "9"],
            environment: ["JOB_QUEUE_WORKERS": "8", "JOB_MAX_RETRIES": "4"],
            dotEnv: dotEnv)
        #expect(try source.integer(["JOB_QUEUE_WORKERS"], default: 10, range: 1...100) == 9)
        #expect(try source.integer(["JOB_MAX_RETRIES"], default: 3, range: 1...100) == 4)
        #expect(try source.integer(["JOB_TIMEOUT_MS"], default: 60_000, range: 1...100_000) == 1000)
        #expect(try source.integer(["SANDBOX_MAX_MEMORY_MB"], default: 128, range: 1...1000) == 128)
        #expect(source.first("JOB_TIMEOUT_MS")?.layer == .dotEnv(path: ".env"))
    }

    @Test("an empty value counts as unset")
    func emptyIsUnset() throws {
        let source = ConfigurationSource(environment: ["LOG_LEVEL": ""], dotEnv: DotEnvFile(values: ["LOG_LEVEL": "debug"]))
        #expect(source.string("LOG_LEVEL") == "debug")
    }

    @Test("NAME_FILE reads a Docker secret file, without its trailing newline")
    func secretFromFile() throws {
        let folder = try Tools.temporaryDirectory()
        let path = folder + "/jwt"
        try Data("s3cret-from-file-0123456789abcdef0123\n".utf8).write(to: URL(fileURLWithPath: path))
        let source = ConfigurationSource(environment: ["JWT_SECRET_FILE": path])
        let secret = try #require(try source.secret("JWT_SECRET"))
        #expect(secret.reveal() == "s3cret-from-file-0123456789abcdef0123")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
    }

    @Test("NAME and NAME_FILE both set is refused")
    func bothSetIsRefused() {
        let source = ConfigurationSource(environment: ["JWT_SECRET": "x", "JWT_SECRET_FILE": "/tmp/x"])
        #expect(throws: ConfigurationError.self) { _ = try source.secret("JWT_SECRET") }
    }

    @Test("a missing secret file is named, its contents never read into the message")
    func missingSecretFile() {
        let source = ConfigurationSource(environment: ["SESSION_SECRET_FILE": "/nonexistent/secret"])
        #expect {
            _ = try source.secret("SESSION_SECRET")
        } throws: { error in
            (error as? ConfigurationError)?.variable == "SESSION_SECRET_FILE"
        }
    }
}
