import Foundation
import NSCore
import NSNodeClient

/// Where every nsctl command reads its settings: flags, then the environment, then the dotenv
/// file (`--env-file`, or `./.env` when present), as `nsd` does (``ConfigurationSource/load(flags:envFile:environment:)``).
/// Loading them also installs `TLS_CA_FILE` as what https calls to nodes trust (``NodeTrust``).
enum Settings {
    static func source(envFile: String?, flags: [String: String] = [:]) throws -> ConfigurationSource {
        do {
            let source = try ConfigurationSource.load(flags: flags, envFile: envFile)
            // Before any command calls a node: https calls trust TLS_CA_FILE besides the system roots.
            try NodeTrust.install(caFile: try TLSSettings.caFile(source: source))
            return source
        } catch {
            throw CommandFailure(error)
        }
    }
}
