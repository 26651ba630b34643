import Foundation
import NSCore
import NSTestSupport
import Testing

/// The one loader nsd and nsctl share, reading a real dotenv file from disk.
@Suite("configuration loading from a dotenv file")
struct ConfigurationSourceLoadingTests {
    private func write(_ text: String, name: String = "settings.env") throws -> String {
        let path = try Tools.temporaryDirectory("dotenv") + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("the environment beats the file, the file beats defaults, flags beat both")
    func precedence() throws {
        let path = try write("LOG_LEVEL=debug\nJOB_QUEUE_WORKERS=7\nJOB_MAX_RETRIES=5\n")
        let source = try ConfigurationSource.load(flags: ["JOB_MAX_RETRIES": "9"], envFile: path,
                                                  environment: ["JOB_QUEUE_WORKERS": "8", "JOB_MAX_RETRIES": "4"])
        #expect(source.string("LOG_LEVEL") == "debug")
        #expect(source.first("LOG_LEVEL")?.layer == .dotEnv(path: path))
        #expect(try source.integer(["JOB_QUEUE_WORKERS"], default: 10, range: 1...100) == 8)
        #expect(source.first("JOB_QUEUE_WORKERS")?.layer == .environment)
        #expect(try source.integer(["JOB_MAX_RETRIES"], default: 3, range: 1...100) == 9)
        #expect(try source.integer(["JOB_TIMEOUT_MS"], default: 60_000, range: 1...100_000) == 60_000)
    }

    @Test("NAME_FILE in the dotenv file reads the secret from the file it names; NAME in the environment still wins")
    func secretFileFromDotEnv() throws {
        let secretPath = try write("from-a-docker-secret-0123456789abcdef\n", name: "jwt")
        let path = try write("JWT_SECRET_FILE=\(secretPath)\n")
        let fromFile = try ConfigurationSource.load(envFile: path, environment: [:])
        #expect(try fromFile.secret("JWT_SECRET")?.reveal() == "from-a-docker-secret-0123456789abcdef")
        let overridden = try ConfigurationSource.load(envFile: path, environment: ["JWT_SECRET": "from-the-environment-0123456789abcdef"])
        #expect(try overridden.secret("JWT_SECRET")?.reveal() == "from-the-environment-0123456789abcdef")
    }

    @Test("a malformed line is reported by file and line number, with the fix")
    func malformedLine() throws {
        let path = try write("LOG_LEVEL=info\nJWT_SECRET abc\n")
        #expect {
            _ = try ConfigurationSource.load(envFile: path, environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == "\(path):2" && error.problem.contains("has no '='") && error.fix == "correct that line of \(path)"
                && error.description.hasPrefix("configuration error: \(path):2 has no '='")
        }
    }

    @Test("an --env-file that does not exist is refused, naming the file")
    func missingFile() throws {
        let missing = try Tools.temporaryDirectory("dotenv") + "/absent.env"
        #expect {
            _ = try ConfigurationSource.load(envFile: missing, environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == "--env-file" && error.problem == "names \(missing), which does not exist"
        }
    }
}
