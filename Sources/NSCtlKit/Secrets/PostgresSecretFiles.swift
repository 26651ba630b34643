import Foundation

/// The compose PostgreSQL variant's two secrets as files: the password the `postgres` service is
/// initialised with, and the URL the nodes reach it by, which embeds that same password. Made in
/// one step so the two cannot disagree; neither value is ever printed.
enum PostgresSecretFiles {
    /// Writes both files into `folder` (created 0700 when missing), 0600 each, without a trailing
    /// newline, as the compose secrets are read. Returns their paths and the backups of replaced
    /// files. Without `replacing` nothing is written when either file exists.
    static func write(into folder: String, replacing: Bool, now: Date) throws -> (files: [String], backups: [String]) {
        let password = EnvTemplate.password()
        let contents: [(DeploymentSecret, String)] = [
            (.postgresPassword, password),
            (.databaseURL, PostgresDeployment.databaseURL(password: password)),
        ]
        let paths = contents.map { (folder as NSString).appendingPathComponent($0.0.fileName) }
        if !replacing, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw CommandFailure("\(existing) already exists; pass --force to replace both files (the old ones are kept as backups)")
        }
        try PrivateFile.makeFolder(folder)
        var backups: [String] = []
        for ((_, text), path) in zip(contents, paths) {
            if let backup = try PrivateFile.write(text, to: path, replacing: replacing, now: now) { backups.append(backup) }
        }
        return (paths, backups)
    }
}
