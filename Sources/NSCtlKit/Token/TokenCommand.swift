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
                it carries kid, sub, iat, exp and the role, if any. Its lifetime is at most \
                JWT_MAX_TTL (read from the same places; default \(defaultMaximum)), the longest the nodes accept.
                """)

        static let defaultMaximum = TokenLifetime.text(TokenLifetime.defaultMaximum)

        @Option(help: ArgumentHelp("The user the token names (its sub claim).", valueName: "name"))
        var sub: String

        @Option(help: ArgumentHelp("Role claim: \(OperatorRole.choices). On gateway tokens, admin reads every job.", valueName: "role"))
        var role: String?

        @Option(help: ArgumentHelp("Lifetime: a number with s, m, h or d (at most JWT_MAX_TTL, default \(defaultMaximum)).", valueName: "duration"))
        var ttl = "1h"

        @Flag(help: "Sign with ADMIN_JWT_SECRET, for admin-node sign-in.")
        var admin = false

        @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
        var envFile: String?

        @Flag(help: "Print JSON (token, sub, role, kid, expiresAt) instead of the bare token.")
        var json = false

        func validate() throws {
            guard LedgerTransaction.isValidSubmitter(sub) else {
                throw ValidationError("--sub must be 1 to \(LedgerTransaction.maxSubmitterCharacters) characters (the ledger's limit for a submitter)")
            }
            if let role, OperatorRole(rawValue: role) == nil {
                throw ValidationError("--role must be \(OperatorRole.choices)")
            }
            // The limit itself (JWT_MAX_TTL) is read with the secret, in run().
            _ = try Self.lifetime(ttl, maximum: .seconds(TokenLifetime.allowedSeconds.upperBound))
        }

        /// `90s`, `15m`, `12h`, `7d` (``DurationText``), at most `maximum`.
        static func lifetime(_ text: String, maximum: Duration, flag: String = "--ttl") throws -> Duration {
            switch DurationText.seconds(text) {
            case .failure(.notADuration):
                throw ValidationError("\(flag) \(text) is not a duration; write a number and s, m, h or d, e.g. 1h")
            case .failure(.unknownUnit):
                throw ValidationError("\(flag) \(text) has an unknown unit; use s, m, h or d")
            case .success(let seconds):
                guard Duration.seconds(seconds) <= maximum else {
                    throw ValidationError("\(flag) \(text) is longer than the limit (\(TokenLifetime.text(maximum)))")
                }
                return .seconds(seconds)
            }
        }

        /// `--ttl`, refused when it is longer than `JWT_MAX_TTL` in `source`: the nodes would refuse the token.
        func lifetime(in source: ConfigurationSource) throws -> Duration {
            let maximum: Duration
            do {
                maximum = try source.tokenMaxLifetime()
            } catch {
                throw CommandFailure(error)
            }
            let lifetime = try Self.lifetime(ttl, maximum: .seconds(TokenLifetime.allowedSeconds.upperBound))
            guard lifetime <= maximum else {
                throw ValidationError("--ttl \(ttl) is longer than \(TokenLifetime.variable) allows "
                                      + "(\(TokenLifetime.text(maximum))); the nodes would refuse the token")
            }
            return lifetime
        }

        func run() async throws {
            try await reportingFailures {
                let name = admin ? "ADMIN_JWT_SECRET" : "JWT_SECRET"
                let source = try Settings.source(envFile: envFile)
                let lifetime = try lifetime(in: source)
                let secret = try EnvironmentSecrets(source: source).require(name)
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
