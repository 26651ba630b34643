import NSCore

/// Secrets for nsctl: from the environment or the dotenv file (`NAME` or `NAME_FILE`), never
/// flags; failing those, from a local development nsd's data folder (``LocalDevelopmentNSD``).
struct EnvironmentSecrets {
    let source: ConfigurationSource
    let local: LocalDevelopmentNSD?

    init(envFile: String?) throws {
        source = try Settings.source(envFile: envFile)
        local = nil
    }

    init(source: ConfigurationSource, local: LocalDevelopmentNSD? = nil) {
        self.source = source
        self.local = local
    }

    func require(_ name: String) throws -> Secret {
        let secret: Secret?
        do {
            secret = try source.secret(name) ?? local?.secret(name)
        } catch {
            throw CommandFailure(error)
        }
        guard let secret else {
            throw CommandFailure.configuration("\(name) is not set; export it, or run nsctl where the .env holding it is (or pass --env-file), "
                                 + "or next to a development nsd's data folder (--data-dir, DATA_DIR, default ./data)")
        }
        guard secret.byteCount >= DaemonSettings.minimumSecretBytes else {
            throw CommandFailure.configuration("\(name) is shorter than 32 bytes and the nodes refuse it; rotate it with `nsctl secrets gen --rotate \(name)`")
        }
        return secret
    }

    /// Where `secret` (the value of `name`) came from, in words.
    func origin(of secret: Secret, name: String) -> String {
        switch secret.origin {
        case .developmentFile(let path): "the development nsd's \(path)"
        case .configured: BearerToken.layer(of: name, in: source)
        }
    }
}
