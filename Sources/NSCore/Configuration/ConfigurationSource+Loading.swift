import Foundation

extension ConfigurationSource {
    /// The file read when no `--env-file` is given, relative to the working directory.
    public static let defaultDotEnvPath = ".env"

    /// The settings `nsd` and every `nsctl` command read: `flags`, then `environment`, then the
    /// dotenv file, then each setting's default.
    ///
    /// `envFile` is the `--env-file` flag: a file it names must exist, while the default `./.env`
    /// may be absent (then no dotenv layer). A malformed line throws naming the file and line.
    public static func load(flags: [String: String] = [:], envFile: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ConfigurationSource {
        try loadWithDotEnv(flags: flags, envFile: envFile, environment: environment).source
    }

    /// ``load(flags:envFile:environment:)``, with the dotenv file it read and that file's text
    /// (`nil` when there was none): for a caller that needs the file's own values and comments too
    /// (`nsctl health` dates the secrets from them), so the file is read once and all of it comes
    /// from the same bytes.
    public static func loadWithDotEnv(flags: [String: String] = [:], envFile: String?,
                                      environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> (source: ConfigurationSource, dotEnv: (file: DotEnvFile, text: String)?) {
        let path = envFile ?? defaultDotEnvPath
        let dotEnv = try DotEnvFile.read(path: path)
        if envFile != nil && dotEnv == nil {
            throw ConfigurationError(variable: "--env-file", problem: "names \(path), which does not exist", fix: "create it (nsctl secrets gen) or drop the flag")
        }
        return (ConfigurationSource(flags: flags, environment: environment, dotEnv: dotEnv?.file, dotEnvPath: path), dotEnv)
    }
}
