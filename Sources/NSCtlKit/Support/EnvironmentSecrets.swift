import NSCore

/// Secrets for nsctl: from the environment or the dotenv file (`NAME` or `NAME_FILE`), never flags.
struct EnvironmentSecrets {
    let source: ConfigurationSource

    init(envFile: String?) throws {
        source = try Settings.source(envFile: envFile)
    }

    init(source: ConfigurationSource) {
        self.source = source
    }

    func require(_ name: String) throws -> Secret {
        let secret: Secret?
        do {
            secret = try source.secret(name)
        } catch {
            throw CommandFailure(error.description, exitCode: 78)
        }
        guard let secret else {
            throw CommandFailure("\(name) is not set; export it, or run nsctl where the .env holding it is (or pass --env-file)", exitCode: 78)
        }
        guard secret.byteCount >= DaemonSettings.minimumSecretBytes else {
            throw CommandFailure("\(name) is shorter than 32 bytes and the nodes refuse it; rotate it with `nsctl secrets gen --rotate \(name)`", exitCode: 78)
        }
        return secret
    }
}
