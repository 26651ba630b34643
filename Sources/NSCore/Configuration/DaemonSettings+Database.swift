extension DaemonSettings {
    /// `DATABASE_TIMEOUT_MS` when unset: the deadline of every PostgreSQL call.
    public static let defaultDatabaseTimeoutMs = 5_000

    /// `DATABASE_URL` (or `DATABASE_URL_FILE`, a secret: it carries the password) and
    /// `DATABASE_TIMEOUT_MS`. Read only for the roles that keep state in it (ns-node's ledger;
    /// admin-node's state later), so a gateway sharing the `.env` is not refused for it.
    mutating func loadDatabase(source: ConfigurationSource) throws(ConfigurationError) {
        guard roles.contains(.ns) || roles.contains(.admin) else { return }
        database = try Self.databaseURL(source: source)
        guard database != nil else { return }
        databaseTimeout = try source.milliseconds("DATABASE_TIMEOUT_MS", default: Self.defaultDatabaseTimeoutMs, range: 100...600_000)
    }

    /// The parsed `DATABASE_URL` (or `DATABASE_URL_FILE`), nil when neither is set. An error
    /// names whichever variable was set and never quotes the URL, which holds the password.
    public static func databaseURL(source: ConfigurationSource) throws(ConfigurationError) -> DatabaseURL? {
        guard let secret = try source.secret("DATABASE_URL") else { return nil }
        let variable = source.first("DATABASE_URL", "DATABASE_URL_FILE")?.name ?? "DATABASE_URL"
        do {
            return try DatabaseURL(parsing: secret.reveal())
        } catch {
            throw ConfigurationError(variable: variable, problem: error.description,
                                     fix: "write postgres://USER:PASSWORD@HOST:5432/DATABASE, hosts comma-separated (docs/ledger.md)")
        }
    }
}
