import Foundation
import NSCore
import NSNodeClient

/// Where every nsctl command reads its settings: flags, then the environment, then the dotenv
/// file (`--env-file`, or `./.env` when present), as `nsd` does (``ConfigurationSource/load(flags:envFile:environment:)``).
/// Loading them also installs `TLS_CA_FILE` as what https calls to nodes trust (``NodeTrust``).
enum Settings {
    static func source(envFile: String?, flags: [String: String] = [:]) throws -> ConfigurationSource {
        do {
            return try trusting(ConfigurationSource.load(flags: flags, envFile: envFile))
        } catch {
            throw CommandFailure(error)
        }
    }

    /// ``source(envFile:flags:)`` and the dotenv file with its text, from one read of the file.
    static func sourceWithDotEnv(envFile: String?) throws -> (source: ConfigurationSource, dotEnv: (file: DotEnvFile, text: String)?) {
        do {
            let loaded = try ConfigurationSource.loadWithDotEnv(envFile: envFile)
            _ = try trusting(loaded.source)
            return loaded
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Installs the source's `TLS_CA_FILE` before any command calls a node, so https calls trust
    /// it besides the system roots; every way of loading the settings goes through here.
    private static func trusting(_ source: ConfigurationSource) throws(ConfigurationError) -> ConfigurationSource {
        try NodeTrust.install(caFile: try TLSSettings.caFile(source: source))
        return source
    }
}
