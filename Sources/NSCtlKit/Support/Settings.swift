import Foundation
import NSCore

/// Where every nsctl command reads its settings: flags, then the environment, then the dotenv
/// file (`--env-file`, or `./.env` when present), as `nsd` does.
enum Settings {
    static func source(envFile: String?, flags: [String: String] = [:]) throws -> ConfigurationSource {
        let path = envFile ?? ".env"
        let dotEnv: DotEnvFile?
        do {
            dotEnv = try DotEnvFile.load(path: path)
        } catch {
            throw CommandFailure(error.description, exitCode: 78)
        }
        if envFile != nil && dotEnv == nil { throw CommandFailure("--env-file \(path) does not exist; create it or drop the flag", exitCode: 78) }
        return ConfigurationSource(flags: flags, environment: ProcessInfo.processInfo.environment, dotEnv: dotEnv, dotEnvPath: path)
    }
}
