import NSCore

// The one place nsctl reads DATABASE_URL / DATABASE_URL_FILE for backup and restore. When
// `DaemonSettings.database` (the setting nsd reads) is merged, this becomes a call to it.
extension BackupOptions {
    /// The database holding ns-node's ledger (`DATABASE_URL`, or the file `DATABASE_URL_FILE`
    /// names); `nil` when neither is set and the ledger is the SQLite file in `ns-node-data`.
    func databaseURL() throws -> DatabaseURL? {
        let source = try Settings.source(envFile: envFile)
        let secret: Secret?
        do {
            secret = try source.secret("DATABASE_URL")
        } catch {
            throw CommandFailure(error)
        }
        guard let secret else { return nil }
        do {
            return try DatabaseURL(parsing: secret.reveal())
        } catch {
            throw CommandFailure.configuration("DATABASE_URL \(error)")
        }
    }
}
