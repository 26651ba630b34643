import Foundation
import NSCore
import NSTestSupport
import Testing

/// The settings a rotation reads: each shared secret's `_PREVIOUS` value (held to the same rules as
/// the secret itself) and `SECRET_MAX_AGE_DAYS`.
@Suite("rotation settings")
struct RotationSettingsTests {
    static let strong = String(repeating: "ab", count: 32)
    static let older = String(repeating: "cd", count: 32)

    func load(_ environment: [String: String], roles: Set<NodeRole> = NodeRole.pipeline) throws(ConfigurationError) -> DaemonSettings {
        try DaemonSettings.load(roles: roles, source: ConfigurationSource(environment: environment))
    }

    @Test("every shared secret's _PREVIOUS value is read, from the variable or its _FILE form, for the roles that verify with it")
    func previousValues() throws {
        let secrets = ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN"]
        var environment: [String: String] = [:]
        for name in secrets {
            environment[name] = Self.strong
            environment[name + "_PREVIOUS"] = Self.older
        }
        let settings = try load(environment)
        #expect([settings.jwtSecretPrevious, settings.adminJWTSecretPrevious, settings.sessionSecretPrevious, settings.internalTokenPrevious]
            .map { $0?.reveal() } == Array(repeating: Self.older, count: 4))

        let gatewayOnly = try load(environment, roles: [.gateway])
        #expect(gatewayOnly.sessionSecretPrevious == nil && gatewayOnly.adminJWTSecretPrevious == nil, "the gateway verifies neither")
        #expect(gatewayOnly.internalTokenPrevious?.reveal() == Self.older)

        let file = try Tools.temporaryDirectory("previous-secret") + "/session-previous"
        try Self.older.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try load(["SESSION_SECRET": Self.strong, "SESSION_SECRET_PREVIOUS_FILE": file], roles: [.admin])
        #expect(fromFile.sessionSecretPrevious?.reveal() == Self.older)
    }

    @Test("an empty _PREVIOUS_FILE is no previous value (the compose deployment's file between rotations); an empty file for the secret itself is still refused")
    func emptyPreviousFile() throws {
        let folder = try Tools.temporaryDirectory("previous-secret")
        try "".write(toFile: folder + "/empty", atomically: true, encoding: .utf8)
        try "\n".write(toFile: folder + "/newline", atomically: true, encoding: .utf8)
        for file in ["empty", "newline"] {
            let settings = try load(["NODE_ENV": "production", "ENABLE_CORS": "false", "JWT_SECRET": Self.strong, "JWT_SECRET_PREVIOUS_FILE": folder + "/" + file,
                                     "INTERNAL_TOKEN": Self.strong, "INTERNAL_TOKEN_PREVIOUS_FILE": folder + "/" + file,
                                     "LEDGER_SUBMITTER_KEY": Self.strong], roles: [.gateway])
            #expect(settings.jwtSecretPrevious == nil && settings.internalTokenPrevious == nil, "\(file)")
        }
        #expect {
            _ = try load(["JWT_SECRET_FILE": folder + "/empty"], roles: [.gateway])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "JWT_SECRET_FILE" && error?.problem == "names an empty file"
        }
    }

    @Test("a short _PREVIOUS value is refused in production (and a short ADMIN_JWT_SECRET_PREVIOUS in every mode), named, never printed")
    func shortPrevious() {
        let short = "old-short-value"
        for name in ["SESSION_SECRET_PREVIOUS", "INTERNAL_TOKEN_PREVIOUS"] {
            #expect {
                _ = try load(["NODE_ENV": "production", "ADMIN_JWT_SECRET": Self.strong, "SESSION_SECRET": Self.strong, "INTERNAL_TOKEN": Self.strong,
                              name: short], roles: [.admin])
            } throws: { error in
                let error = error as? ConfigurationError
                return error?.variable == name && error.map { !$0.description.contains(short) } == true
            }
        }
        #expect {
            _ = try load(["ADMIN_JWT_SECRET": Self.strong, "ADMIN_JWT_SECRET_PREVIOUS": short], roles: [.admin])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "ADMIN_JWT_SECRET_PREVIOUS"
        }
        #expect((try? load(["INTERNAL_TOKEN": Self.strong, "INTERNAL_TOKEN_PREVIOUS": short]))?.notices.contains { $0.hasPrefix("INTERNAL_TOKEN_PREVIOUS") } == true,
                "development only warns")
    }

    @Test("SECRET_MAX_AGE_DAYS: 30 by default, 1 to 3650 days, anything else refused by name")
    func maxAge() throws {
        #expect(try DaemonSettings.secretMaxAgeDays(source: ConfigurationSource()) == 30)
        #expect(try DaemonSettings.secretMaxAgeDays(source: ConfigurationSource(environment: ["SECRET_MAX_AGE_DAYS": "90"])) == 90)
        for bad in ["0", "3651", "thirty"] {
            #expect { _ = try load(["SECRET_MAX_AGE_DAYS": bad]) } throws: { ($0 as? ConfigurationError)?.variable == "SECRET_MAX_AGE_DAYS" }
        }
    }
}
