import Logging
import ServiceLifecycle

/// Keeps a ``NodeDatabase`` open for the life of the process and closes it cleanly at shutdown.
///
/// Placed first in the ServiceGroup, so it is the last service told to stop: every HTTP server
/// and worker using the database has finished by the time it closes.
public struct DatabaseCloser: Service {
    let database: NodeDatabase
    let logger: Logger

    public init(database: NodeDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func run() async throws {
        // Throws only when the task is cancelled, which is a shutdown too: close either way.
        try? await gracefulShutdown()
        do {
            try database.close()
            logger.info("database closed", metadata: ["path": .string(database.path)])
        } catch {
            logger.error("database did not close cleanly", metadata: ["path": .string(database.path), "error": .string(NodeDatabase.describe(error))])
            throw error
        }
    }
}
