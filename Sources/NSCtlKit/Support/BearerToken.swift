import Foundation
import NSCore
import NSNodeClient

/// The bearer token a command sends: from `--token-file`, else an environment (or .env)
/// variable holding one, else minted from a signing secret there, else from the secret a local
/// development nsd keeps in its data folder. Never a flag value, which `ps` and shell history
/// would show.
struct BearerToken {
    let tokenFile: String?
    /// `NSCTL_TOKEN` or `NSCTL_ADMIN_TOKEN`.
    let variable: String
    /// `JWT_SECRET` or `ADMIN_JWT_SECRET`.
    let secretName: String

    /// The bearer token and where it came from, for the message when a node refuses it.
    struct Credential {
        let token: String
        let provenance: String

        /// What to add to a refusal of `reply`: for a 401, which token was sent and from where.
        func hint(for reply: NodeReply) -> String {
            reply.status == 401 ? "; the token sent was \(provenance): check that it matches what the node runs with" : ""
        }
    }

    func credential(source: ConfigurationSource, local: LocalDevelopmentNSD?, subject: String, role: String?, lifetime: Duration) async throws -> Credential {
        if let tokenFile {
            guard let text = FileManager.default.contents(atPath: tokenFile).flatMap({ String(data: $0, encoding: .utf8) })?
                .trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                throw CommandFailure("--token-file \(tokenFile) cannot be read or is empty")
            }
            return Credential(token: text, provenance: "the one in --token-file \(tokenFile)")
        }
        // An unreadable NSCTL_TOKEN_FILE falls through to minting, whose own error names the secret.
        if let token = try? source.secret(variable) {
            return Credential(token: token.reveal(), provenance: "\(variable) from \(Self.layer(of: variable, in: source))")
        }
        let secrets = EnvironmentSecrets(source: source, local: local)
        let secret = try secrets.require(secretName)
        let token = try await TokenMinter.mint(secret: secret, subject: subject, role: role, lifetime: lifetime)
        return Credential(token: token, provenance: "minted for \(subject) from \(secretName) in \(secrets.origin(of: secret, name: secretName))")
    }

    static func layer(of name: String, in source: ConfigurationSource) -> String {
        source.first(of: [name, name + "_FILE"])?.layer.description ?? "the environment"
    }
}
