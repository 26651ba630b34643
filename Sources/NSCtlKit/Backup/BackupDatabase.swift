import Logging
import NSCore
import NSLedger
import NSPostgres

/// The PostgreSQL database of `DATABASE_URL` holding ns-node's ledger and admin-node's state,
/// opened for one nsctl backup or restore: its pools run for the duration of ``use(_:_:)`` only.
enum BackupDatabase {
    /// How `pg_stat_activity` names nsctl's connection when the URL sets no `application_name`.
    static let applicationName = "nsctl"
    /// The deadline of each copy: the whole snapshot or import is one transaction, which a large
    /// ledger or audit trail needs minutes for. Reaching the database is checked first under
    /// ``reachTimeout``.
    static let copyTimeout = Duration.seconds(3600)
    static let reachTimeout = Duration.seconds(10)
    /// What nsctl's own queries log: errors only, since debug lines would carry SQL.
    static let logger: Logger = {
        var logger = Logger(label: "nsctl.postgres")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` with the database of `url`, after checking within ``reachTimeout`` that it
    /// answers, so a wrong or dead address fails fast rather than after ``copyTimeout``.
    static func use<T: Sendable>(_ url: DatabaseURL, _ body: (PostgresDatabase) async throws -> T) async throws -> T {
        try await run(url, timeout: reachTimeout) { database in
            _ = try await database.read { connection in try await connection.query("SELECT 1", logger: logger) }
        }
        return try await run(url, timeout: copyTimeout, body)
    }

    private static func run<T: Sendable>(_ url: DatabaseURL, timeout: Duration, _ body: (PostgresDatabase) async throws -> T) async throws -> T {
        do {
            return try await ConfiguredDatabase.withPools(url, settings: .init(timeout: timeout, applicationName: applicationName, maximumConnections: 2),
                                                          logger: logger, body)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("the database in DATABASE_URL: \(error)")
        }
    }
}
