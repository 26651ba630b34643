import Logging
import NSCore
import NSLedger
import NSPostgres

/// `nsctl chain verify` on the ledger in PostgreSQL: the same audit as on a file, read straight
/// from the database (read-only snapshots), so it needs no running ns-node.
struct DatabaseChainAudit {
    let url: DatabaseURL
    let timeout: Duration

    /// Audits the chain; throws a ``CommandFailure`` naming the problem when the database cannot
    /// be read (the URL's password never appears in it).
    func run() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        var logger = Logger(label: "nsctl")
        logger.logLevel = .warning
        let database: PostgresDatabase
        do {
            database = try PostgresDatabase(url: url, settings: .init(timeout: timeout, applicationName: "nsctl chain verify", maximumConnections: 2),
                                            logger: logger)
        } catch {
            throw CommandFailure(error)
        }
        let pools = Task { await database.run() }
        defer { pools.cancel() }
        do {
            return try await ChainAudit.audit(PostgresChainSource(database: database))
        } catch let error as PostgresDatabaseError {
            throw CommandFailure("the ledger in DATABASE_URL (\(url.redacted)) cannot be read: \(error); check the URL and that PostgreSQL answers")
        } catch {
            throw CommandFailure("the ledger in DATABASE_URL (\(url.redacted)) cannot be read (\(type(of: error))); check the URL and that PostgreSQL answers")
        }
    }

    /// The database to audit: `--database-url`, else `DATABASE_URL`/`DATABASE_URL_FILE` from
    /// the environment or the dotenv file; nil when none is set.
    static func configured(flag: String?, node: NodeOptions) throws -> DatabaseChainAudit? {
        let source = try node.source(flags: flag.map { ["DATABASE_URL": $0] } ?? [:])
        do {
            guard let url = try DaemonSettings.databaseURL(source: source) else { return nil }
            let timeoutMs = try source.integer(["DATABASE_TIMEOUT_MS"], default: DaemonSettings.defaultDatabaseTimeoutMs, range: 100...600_000)
            return DatabaseChainAudit(url: url, timeout: .milliseconds(timeoutMs))
        } catch {
            throw CommandFailure(error)
        }
    }
}
