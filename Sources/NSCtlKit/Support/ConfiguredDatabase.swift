import Logging
import NSCore
import NSLedger
import NSPostgres

/// The PostgreSQL database an nsctl command reads straight from (`--database-url`, else
/// `DATABASE_URL`/`DATABASE_URL_FILE`), so it needs no running node: `chain verify` audits the
/// ledger there, `audit tail|verify` read admin-node's trail.
struct ConfiguredDatabase {
    let url: DatabaseURL
    let timeout: Duration

    /// Opens the database's pools for `body` and closes them after. Throws a ``CommandFailure``
    /// naming `what` when the database cannot be read (the URL's password never appears in it).
    func read<T: Sendable>(as command: String, what: String, _ body: (PostgresDatabase) async throws -> T) async throws -> T {
        var logger = Logger(label: "nsctl")
        logger.logLevel = .warning
        do {
            return try await Self.withPools(url, settings: .init(timeout: timeout, applicationName: "nsctl \(command)", maximumConnections: 2),
                                            logger: logger, body)
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as PostgresDatabaseError {
            throw CommandFailure("\(what) in DATABASE_URL (\(url.redacted)) cannot be read: \(error); check the URL and that PostgreSQL answers")
        } catch {
            throw CommandFailure("\(what) in DATABASE_URL (\(url.redacted)) cannot be read (\(type(of: error))); check the URL and that PostgreSQL answers")
        }
    }

    /// Runs `body` with the database of `url` while its pools run, for one nsctl command; the
    /// pools stop when it returns. Throws a ``CommandFailure`` when the URL's TLS settings cannot
    /// be used; what `body` throws comes back unchanged, for the caller to name.
    static func withPools<T: Sendable>(_ url: DatabaseURL, settings: PostgresDatabase.Settings, logger: Logger,
                                       _ body: (PostgresDatabase) async throws -> T) async throws -> T {
        let database: PostgresDatabase
        do {
            database = try PostgresDatabase(url: url, settings: settings, logger: logger)
        } catch {
            throw CommandFailure(error)
        }
        let pools = Task { await database.run() }
        defer { pools.cancel() }
        return try await body(database)
    }

    /// The ledger audit, the same as on a file, from read-only snapshots.
    func auditChain() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        try await read(as: "chain verify", what: "the ledger") { database in try await ChainAudit.audit(PostgresChainSource(database: database)) }
    }

    /// The database named in `source` (where a `--database-url` flag was merged as
    /// `DATABASE_URL`); nil when none is set.
    static func configured(source: ConfigurationSource) throws -> ConfiguredDatabase? {
        do {
            guard let url = try DaemonSettings.databaseURL(source: source) else { return nil }
            let timeoutMs = try source.integer(["DATABASE_TIMEOUT_MS"], default: DaemonSettings.defaultDatabaseTimeoutMs, range: 100...600_000)
            return ConfiguredDatabase(url: url, timeout: .milliseconds(timeoutMs))
        } catch {
            throw CommandFailure(error)
        }
    }
}
