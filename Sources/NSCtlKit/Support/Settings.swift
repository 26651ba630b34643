import Foundation
import NSCore

/// Where every nsctl command reads its settings: flags, then the environment, then the dotenv
/// file (`--env-file`, or `./.env` when present), as `nsd` does (``ConfigurationSource/load(flags:envFile:environment:)``).
enum Settings {
    static func source(envFile: String?, flags: [String: String] = [:]) throws -> ConfigurationSource {
        do {
            return try ConfigurationSource.load(flags: flags, envFile: envFile)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// ``source(envFile:flags:)`` and the dotenv file with its text, from one read of the file.
    static func sourceWithDotEnv(envFile: String?) throws -> (source: ConfigurationSource, dotEnv: (file: DotEnvFile, text: String)?) {
        do {
            return try ConfigurationSource.loadWithDotEnv(envFile: envFile)
        } catch {
            throw CommandFailure(error)
        }
    }
}
