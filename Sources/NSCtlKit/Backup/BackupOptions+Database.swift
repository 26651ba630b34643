import NSCore

extension BackupOptions {
    /// The database holding ns-node's ledger (`DATABASE_URL`, or the file `DATABASE_URL_FILE`
    /// names), read as nsd reads it; `nil` when neither is set and the ledger is the SQLite file
    /// in `ns-node-data`.
    func databaseURL() throws -> DatabaseURL? {
        do {
            return try DaemonSettings.databaseURL(source: try Settings.source(envFile: envFile))
        } catch let error as ConfigurationError {
            throw CommandFailure(error)
        }
    }
}
