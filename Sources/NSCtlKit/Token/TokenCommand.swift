import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl token`: bearer tokens for scripts and the dashboard.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint bearer tokens.", subcommands: [Create.self])
    }
}

extension NSCtl.Token {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint an HS256 token for the gateway (JWT_SECRET) or, with --admin, for admin-node (ADMIN_JWT_SECRET).",
            discussion: """
                The secret is read from the environment or the .env file (NAME or NAME_FILE), never from \
                a flag. The token goes to stdout alone, so `TOKEN=$(nsctl token create --sub ci)` works; \
                it carries kid, sub, iat, exp and the role, if any.
                """)

        static let maximumLifetime: Duration = .seconds(30 * 86_400)

        @Option(help: ArgumentHelp("The user the token names (its sub claim).", valueName: "name"))
        var sub: String

        @Option(help: ArgumentHelp("Role claim: viewer, operator or admin. On gateway tokens, admin reads every job.", valueName: "role"))
        var role: String?

        @Option(help: ArgumentHelp("Lifetime: a number with s, m, h or d (at most 30d).", valueName: "duration"))
        var ttl = "1h"

        @Flag(help: "Sign with ADMIN_JWT_SECRET, for admin-node sign-in.")
        var admin = false

        @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
        var envFile: String?

        @Flag(help: "Print JSON (token, sub, role, kid, expiresAt) instead of the bare token.")
        var json = false

        func validate() throws {
            guard !sub.isEmpty, sub.utf8.count <= 256 else { throw ValidationError("--sub must be 1 to 256 characters") }
            if let role, !["viewer", "operator", "admin"].contains(role) {
                throw ValidationError("--role must be viewer, operator or admin")
            }
            _ = try Self.lifetime(ttl)
        }

        /// `90s`, `15m`, `12h`, `7d`, at most `maximum`.
        static func lifetime(_ text: String, maximum: Duration = maximumLifetime, flag: String = "--ttl") throws -> Duration {
            guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else {
                throw ValidationError("\(flag) \(text) is not a duration; write a number and s, m, h or d, e.g. 1h")
            }
            let seconds: Int
            switch unit {
            case "s": seconds = amount
            case "m": seconds = amount * 60
            case "h": seconds = amount * 3600
            case "d": seconds = amount * 86_400
            default: throw ValidationError("\(flag) \(text) has an unknown unit; use s, m, h or d")
            }
            guard Duration.seconds(seconds) <= maximum else { throw ValidationError("\(flag) \(text) is longer than the limit (\(Int(maximum / .seconds(86_400)))d)") }
            return .seconds(seconds)
        }

        func run() async throws {
            try await reportingFailures {
                let name = admin ? "ADMIN_JWT_SECRET" : "JWT_SECRET"
                let secret = try EnvironmentSecrets(envFile: envFile).require(name)
                let lifetime = try Self.lifetime(ttl)
                let now = Date()
                let token = try await TokenMinter.mint(secret: secret, subject: sub, role: role, lifetime: lifetime, now: now)
                if json {
                    var fields: [String: JSONValue] = ["token": .string(token), "sub": .string(sub), "kid": .string(TokenKeyID.of(secret)),
                                                       "expiresAt": .string(LogTimestamp.format(seconds: Int(now.timeIntervalSince1970) + Int(lifetime / .seconds(1)), milliseconds: 0))]
                    if let role { fields["role"] = .string(role) }
                    print(String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self))
                } else {
                    print(token)
                }
            }
        }
    }
}
