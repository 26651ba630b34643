import Foundation
import NSCore

/// The bearer token a command sends: from `--token-file`, else an environment (or .env)
/// variable holding one, else minted from a signing secret there. Never a flag value, which
/// `ps` and shell history would show.
struct BearerToken {
    let tokenFile: String?
    /// `NSCTL_TOKEN` or `NSCTL_ADMIN_TOKEN`.
    let variable: String
    /// `JWT_SECRET` or `ADMIN_JWT_SECRET`.
    let secretName: String

    func authorization(source: ConfigurationSource, subject: String, role: String?, lifetime: Duration) async throws -> String {
        if let tokenFile {
            guard let text = FileManager.default.contents(atPath: tokenFile).flatMap({ String(data: $0, encoding: .utf8) })?
                .trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
                throw CommandFailure("--token-file \(tokenFile) cannot be read or is empty")
            }
            return "Bearer " + text
        }
        if let token = try? source.secret(variable) { return "Bearer " + token.reveal() }
        let secret = try EnvironmentSecrets(source: source).require(secretName)
        return "Bearer " + (try await TokenMinter.mint(secret: secret, subject: subject, role: role, lifetime: lifetime))
    }
}
