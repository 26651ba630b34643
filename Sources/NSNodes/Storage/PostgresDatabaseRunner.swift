import Logging
import NSPostgres
import ServiceLifecycle

/// Runs the connection pools of the process's one ``PostgresDatabase`` from the moment nsd
/// assembles its nodes (opening a store migrates the schema, which needs the pools, before the
/// ServiceGroup runs) until the ServiceGroup stops it.
///
/// Added to the ServiceGroup before every service that uses the database, so it is told to stop
/// after all of them have finished.
struct PostgresDatabaseRunner: Service {
    let database: PostgresDatabase
    let logger: Logger
    private let pools: Task<Void, Never>

    /// Starts the pools now.
    init(database: PostgresDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
        pools = Task { await database.run() }
    }

    func run() async {
        // Throws only when the task is cancelled, which is a shutdown too: close either way.
        try? await gracefulShutdown()
        pools.cancel()
        await pools.value
        logger.info("database connections closed", metadata: ["database": .string(database.url.redacted)])
    }
}
