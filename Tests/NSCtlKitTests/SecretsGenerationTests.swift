import Foundation
@testable import NSCtlKit
import NSTestSupport
import Testing

/// `nsctl secrets gen` and `--rotate`: what the secrets look like, the files' modes and backups,
/// `JWT_SECRET_PREVIOUS`, and a report that never holds a secret. Real files in a temporary folder.
@Suite("secrets generation and rotation")
struct SecretsGenerationTests {
    /// 2026-11-22T16:03:03Z: names the backup of a replaced file.
    static let now = Date(timeIntervalSince1970: 1_795_363_383)
    static let secretNames = ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN", "GRAFANA_ADMIN_PASSWORD"]

    /// `NAME=value` lines of a dotenv file (this file's own reading: the one the tests check against).
    static func values(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    static func mode(_ path: String) throws -> Int? {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }

    /// Runs `nsctl secrets gen` with `arguments` on `path` and returns its report.
    static func generate(_ path: String, _ arguments: [String] = []) throws -> String {
        try NSCtl.Secrets.Generate.parse(["--env-file", path] + arguments).writeEnvFile(now: now)
    }

    /// Every secret and key value in `values` (not the public ones).
    static func secrets(_ values: [String: String]) -> [String] {
        values.filter { $0.key.hasSuffix("SECRET") || $0.key.hasSuffix("_PREVIOUS") || $0.key.hasSuffix("TOKEN")
            || $0.key.hasSuffix("PASSWORD") || $0.key.hasSuffix("SIGNING_KEY") }.map(\.value)
    }

    @Test("hex secrets are 32 random bytes as 64 lowercase hex characters, never repeated")
    func hexSecrets() {
        let secrets = (0..<200).map { _ in EnvTemplate.hexSecret() }
        #expect(secrets.allSatisfy { $0.count == 64 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        #expect(Set(secrets).count == secrets.count)
    }

    @Test("passwords are 24 letters and digits without look-alikes (0 O 1 I l o), drawn from the whole alphabet")
    func passwords() {
        let alphabet = Set("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
        let passwords = (0..<300).map { _ in EnvTemplate.password() }
        #expect(passwords.allSatisfy { $0.count == 24 && Set($0).isSubset(of: alphabet) })
        #expect(Set(passwords.joined()) == alphabet, "7,200 uniform draws from 56 characters reach every one")
        #expect(Set(passwords).count == passwords.count)
    }

    @Test("the rotatable secrets are the five the template writes; the four shared ones keep their previous value")
    func rotatable() {
        #expect(Set(EnvTemplate.rotatable.keys) == Set(Self.secretNames))
        #expect(EnvTemplate.keepsPrevious == ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN"])
        #expect(EnvTemplate.rotatable["GRAFANA_ADMIN_PASSWORD"]?().count == 24)
        #expect(EnvTemplate.rotatable["SESSION_SECRET"]?().count == 64)
    }

    @Test("gen writes a 0600 file with every secret and key filled in, fresh each time, and reports no value")
    func generatesFile() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        let report = try Self.generate(folder + "/.env")
        #expect(report == "wrote \(folder)/.env (mode 0600)")
        #expect(try Self.mode(folder + "/.env") == 0o600)
        let values = try Self.values(folder + "/.env")
        #expect(values["NODE_ENV"] == "production")
        for name in Self.secretNames + ["NS_SIGNING_KEY", "VP_SIGNING_KEY", "NS_PUBLIC_KEY", "VALIDATOR_PUBLIC_KEYS"] {
            #expect(values[name].map { !$0.isEmpty } == true, "\(name) is set")
        }
        #expect(values["JWT_SECRET"] != values["ADMIN_JWT_SECRET"])
        for secret in Self.secrets(values) { #expect(!report.contains(secret)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [".env"], "no temporary file left")
        let lines = try String(contentsOfFile: folder + "/.env", encoding: .utf8).split(separator: "\n").map(String.init)
        for name in Self.secretNames {
            let position = try #require(lines.firstIndex { $0.hasPrefix(name + "=") })
            #expect(lines[position - 1] == "# \(name) generated 2026-11-22T16:03:03Z", "\(name) is dated on the line above it")
        }
        #expect(lines.filter { SecretStamp(line: $0) != nil }.count == Self.secretNames.count)

        _ = try Self.generate(folder + "/other.env")
        let second = try Self.values(folder + "/other.env")
        for name in Self.secretNames + ["NS_SIGNING_KEY", "VP_SIGNING_KEY"] { #expect(second[name] != values[name], "\(name) is fresh") }
    }

    @Test("gen never replaces a file without --force; with it the old file is kept 0600 as FILE.backup-<UTC time>")
    func replacingNeedsForce() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        let path = folder + "/.env"
        try Data("JWT_SECRET=keep-me\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: CommandFailure.self) { try Self.generate(path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "JWT_SECRET=keep-me\n")

        let report = try Self.generate(path, ["--force"])
        let backup = path + ".backup-20261122T160303Z"
        #expect(report == "wrote \(path) (mode 0600)\nprevious file kept as \(backup)")
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == "JWT_SECRET=keep-me\n")
        #expect(try Self.mode(backup) == 0o600)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.values(path)["JWT_SECRET"]?.count == 64)
    }

    @Test("--rotate JWT_SECRET: a new secret, the old one as JWT_SECRET_PREVIOUS right after it, every other line as it was")
    func rotateKeepsPrevious() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        let path = folder + "/.env"
        let original = "# deployment settings\nexport LOG_LEVEL=debug\nJWT_SECRET=old-gateway-secret\nCUSTOM=kept\nADMIN_JWT_SECRET=old-admin-secret\n"
        try Data(original.utf8).write(to: URL(fileURLWithPath: path))
        let report = try Self.generate(path, ["--rotate", "JWT_SECRET"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let secret = try #require(try Self.values(path)["JWT_SECRET"])
        #expect(secret.count == 64 && secret != "old-gateway-secret")
        #expect(lines == ["# deployment settings", "export LOG_LEVEL=debug", "# JWT_SECRET rotated 2026-11-22T16:03:03Z", "JWT_SECRET=\(secret)",
                          "JWT_SECRET_PREVIOUS=old-gateway-secret",
                          "CUSTOM=kept", "ADMIN_JWT_SECRET=old-admin-secret"])
        #expect(try Self.mode(path) == 0o600)
        let backup = path + ".backup-20261122T160303Z"
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == original)
        #expect(report.hasPrefix("rotated JWT_SECRET in \(path)\nprevious file kept as \(backup)\n"))
        #expect(report.contains("JWT_SECRET_PREVIOUS now holds the old secret"))
        for value in [secret, "old-gateway-secret", "old-admin-secret"] { #expect(!report.contains(value)) }
    }

    @Test("rotating JWT_SECRET again replaces JWT_SECRET_PREVIOUS rather than adding a second one")
    func rotateTwice() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        let path = folder + "/.env"
        try Data("JWT_SECRET=first\n".utf8).write(to: URL(fileURLWithPath: path))
        _ = try Self.generate(path, ["--rotate", "JWT_SECRET"])
        let second = try #require(try Self.values(path)["JWT_SECRET"])
        // The second rotation's backup would take the first one's name: a later clock.
        _ = try NSCtl.Secrets.Generate.parse(["--env-file", path, "--rotate", "JWT_SECRET"]).writeEnvFile(now: Self.now.addingTimeInterval(1))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.components(separatedBy: "JWT_SECRET_PREVIOUS=").count == 2, "one JWT_SECRET_PREVIOUS line: \(text)")
        #expect(try Self.values(path)["JWT_SECRET_PREVIOUS"] == second)
        #expect(!text.contains("first"))
        #expect(text.components(separatedBy: "# JWT_SECRET rotated").count == 2, "one stamp, the later one: \(text)")
        #expect(text.contains("# JWT_SECRET rotated 2026-11-22T16:03:04Z\nJWT_SECRET="))
    }

    @Test("--rotate of other secrets changes only them (and ADMIN_JWT_SECRET_PREVIOUS), re-dates them; --json reports names, never values")
    func rotateOthers() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        let path = folder + "/.env"
        _ = try Self.generate(path)
        let before = try Self.values(path)
        let report = try Self.generate(path, ["--rotate", "ADMIN_JWT_SECRET", "--rotate", "GRAFANA_ADMIN_PASSWORD", "--json"])
        let after = try Self.values(path)
        #expect(after["ADMIN_JWT_SECRET"] != before["ADMIN_JWT_SECRET"])
        #expect(after["GRAFANA_ADMIN_PASSWORD"]?.count == 24 && after["GRAFANA_ADMIN_PASSWORD"] != before["GRAFANA_ADMIN_PASSWORD"])
        let untouched = { (values: [String: String]) in
            values.filter { !["ADMIN_JWT_SECRET", "ADMIN_JWT_SECRET_PREVIOUS", "GRAFANA_ADMIN_PASSWORD"].contains($0.key) }
        }
        #expect(untouched(after) == untouched(before))
        #expect(after["ADMIN_JWT_SECRET_PREVIOUS"] == before["ADMIN_JWT_SECRET"])
        #expect(after.keys.filter { $0.hasSuffix("_PREVIOUS") } == ["ADMIN_JWT_SECRET_PREVIOUS"], "a password has no previous value")
        let stamps = SecretStamp.latest(in: try String(contentsOfFile: path, encoding: .utf8))
        #expect(stamps["ADMIN_JWT_SECRET"]?.event == .rotated && stamps["GRAFANA_ADMIN_PASSWORD"]?.event == .rotated)
        #expect(stamps["JWT_SECRET"]?.event == .generated)
        #expect(report == #"{"backup":"\#(path).backup-20261122T160303Z","file":"\#(path)","rotated":["ADMIN_JWT_SECRET","GRAFANA_ADMIN_PASSWORD"]}"#)
        for secret in Self.secrets(before) + Self.secrets(after) { #expect(!report.contains(secret)) }
    }

    @Test("--rotate needs an existing file, and an empty JWT_SECRET leaves no empty _PREVIOUS behind")
    func rotateEdgeCases() throws {
        let folder = try Tools.temporaryDirectory("ns-secrets")
        #expect(throws: CommandFailure.self) { try Self.generate(folder + "/missing.env", ["--rotate", "JWT_SECRET"]) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/missing.env"))
        let path = folder + "/.env"
        try Data("JWT_SECRET=\n".utf8).write(to: URL(fileURLWithPath: path))
        _ = try Self.generate(path, ["--rotate", "JWT_SECRET"])
        let values = try Self.values(path)
        #expect(values["JWT_SECRET"]?.count == 64)
        #expect(values["JWT_SECRET_PREVIOUS"] == nil)
    }

    @Test("the dotenv editor rewrites a setting's last line, drops earlier duplicates, inserts after an anchor or appends")
    func envEditor() {
        var editor = EnvEditor(text: "# A=commented\nA=1\nexport B=2\nA=3\n\nC=4\n")
        editor.set("A", to: "new")
        #expect(editor.text == "# A=commented\nexport B=2\nA=new\n\nC=4\n")
        editor.set("B", to: "b")
        #expect(editor.lines[1] == "B=b")
        editor.set("D", to: "after-b", after: "B")
        editor.set("E", to: "end", after: "MISSING")
        #expect(editor.text == "# A=commented\nB=b\nD=after-b\nA=new\n\nC=4\nE=end\n")
        #expect(EnvEditor.name(of: "  export  KEY = v") == "KEY")
        #expect(EnvEditor.name(of: "#KEY=v") == nil)
        #expect(EnvEditor.name(of: "=v") == nil)
    }
}
