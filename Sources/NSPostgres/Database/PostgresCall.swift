import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// One database call on one host under the deadline, and what its failure means: whether the
/// host is lost, and whether anything can have been committed (which decides a retry).
struct PostgresCall: Sendable {
    struct Failure: Error {
        /// What went wrong, as postgres-nio (or the body) reported it.
        let error: any Error
        let hostLost: Bool
        /// True for reads, and for transactions whose COMMIT was never sent.
        let nothingCommitted: Bool
        /// What the caller is told.
        let reported: any Error
    }

    let kind: PostgresDatabase.Kind
    let host: PostgresHost
    let timeout: Duration
    let logger: Logger

    /// A transaction's progress: the deadline may abandon it only before COMMIT is sent.
    private enum Phase { case running, committing, abandoned }
    private struct Abandoned: Error {}

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async -> Result<T, Failure> {
        let phase = Shared(Phase.running)
        let leased = Shared<PostgresConnection?>(nil)
        let (kind, client, logger) = (kind, host.client, logger)
        do {
            let value = try await withDeadline(timeout, "a \(kind.rawValue) on \(host.address)", onExpiry: {
                // A query stuck on a silent socket ends when its connection closes; the pool then drops it.
                _ = leased.value?.close() as EventLoopFuture<Void>?
            }) {
                try await client.withConnection { connection in
                    leased.withLock { $0 = connection }
                    switch kind {
                    case .read:
                        return try await body(connection)
                    case .snapshot:
                        return try await Self.snapshot(connection, logger: logger, body)
                    case .write:
                        return try await connection.withTransaction(logger: logger) { connection in
                            let value = try await body(connection)
                            let proceeds = phase.withLock { phase -> Bool in
                                guard phase == .running else { return false }
                                phase = .committing
                                return true
                            }
                            guard proceeds else { throw Abandoned() }  // the deadline gave up on it: roll back
                            return value
                        }
                    }
                }
            }
            return .success(value)
        } catch {
            return .failure(failure(error, phase: phase))
        }
    }

    private func failure(_ error: any Error, phase: Shared<Phase>) -> Failure {
        if error is DeadlineExceeded || error is CancellationError {
            // Abandon the transaction unless its COMMIT is already on its way: then it may have
            // committed, and no one can say.
            let committing = phase.withLock { phase -> Bool in
                if phase == .running { phase = .abandoned }
                return phase == .committing
            }
            if error is CancellationError { return Failure(error: error, hostLost: false, nothingCommitted: !committing, reported: error) }
            let reported: any Error = committing ? PostgresDatabaseError.outcomeUnknown(PostgresFailure.describe(error))
                : PostgresDatabaseError.unavailable(PostgresFailure.describe(error))
            return Failure(error: error, hostLost: true, nothingCommitted: !committing, reported: reported)
        }
        guard let transaction = error as? PostgresTransactionError else {
            // A read, a snapshot, or a lease that failed before BEGIN.
            return Failure(error: error, hostLost: PostgresFailure.isHostLost(error), nothingCommitted: true,
                           reported: PostgresFailure.translate(error))
        }
        if let commitError = transaction.commitError {
            let lost = PostgresFailure.isHostLost(commitError)
            // A server's refusal of COMMIT (a deferred constraint) rolled back; a lost answer is unknown.
            let reported: any Error = lost ? PostgresDatabaseError.outcomeUnknown(PostgresFailure.describe(commitError))
                : PostgresFailure.translate(commitError)
            return Failure(error: commitError, hostLost: lost, nothingCommitted: !lost, reported: reported)
        }
        let cause = transaction.beginError ?? transaction.closureError ?? error
        return Failure(error: cause, hostLost: PostgresFailure.isHostLost(cause), nothingCommitted: true, reported: PostgresFailure.translate(cause))
    }

    /// `body` inside `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`; ended by COMMIT, or by
    /// ROLLBACK when `body` throws.
    private static func snapshot<T>(_ connection: PostgresConnection, logger: Logger,
                                    _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            // The body's error is the one to report; a failed ROLLBACK also ends the
            // transaction, since the connection is then unusable and dropped by the pool.
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }
}
