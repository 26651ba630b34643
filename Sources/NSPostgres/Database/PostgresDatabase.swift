import Logging
import NSCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The PostgreSQL database of a `DATABASE_URL`, over all its hosts: one connection pool per host,
/// and the host that currently takes writes.
///
/// postgres-nio knows one host per client and nothing of `target_session_attrs`, so both are
/// built here: ``locate()`` asks every host whether it takes writes and uses that one. Every call
/// runs under ``Settings/timeout`` (a dead host otherwise keeps a caller waiting about 60 s for
/// the pool). When a call loses its host (connection errors, the server shutting down, a
/// read-only transaction, the deadline), the primary is forgotten and located again, and the call
/// is retried once if nothing can have been committed: a read, or a transaction whose BEGIN or
/// body failed. A transaction whose COMMIT got no answer is ``PostgresDatabaseError/outcomeUnknown(_:)``.
///
/// It is a `Service`: its ``run()`` runs the pools and must be running for any call to proceed.
/// Put it first in the ServiceGroup so it stops last.
public final class PostgresDatabase: Service, Sendable {
    public struct Settings: Sendable {
        /// The deadline of every call, and of a host's probe unless the URL sets `connect_timeout`.
        public var timeout: Duration
        /// `application_name` when the URL sets none: how `pg_stat_activity` names this process.
        public var applicationName: String
        /// Connections each host's pool may open.
        public var maximumConnections: Int

        public init(timeout: Duration = .seconds(5), applicationName: String = "nsd", maximumConnections: Int = 10) {
            self.timeout = timeout
            self.applicationName = applicationName
            self.maximumConnections = max(1, maximumConnections)
        }
    }

    public let url: DatabaseURL
    public let settings: Settings
    let hosts: [PostgresHost]
    let logger: Logger
    /// What postgres-nio logs per query: warnings and worse only, since debug lines would carry SQL.
    let queryLogger: Logger
    private let state = Mutex(PrimaryState())
    private let probeIDs = Atomic<Int>(0)

    struct PrimaryState {
        var primary: Int?
        var locating: Task<Int, any Error>?
    }

    /// Prepares the pools; nothing connects before ``run()`` and the first call. Throws when the
    /// TLS settings cannot be used (an unreadable `sslrootcert`).
    public init(url: DatabaseURL, settings: Settings = Settings(), logger: Logger) throws(ConfigurationError) {
        self.url = url
        self.settings = settings
        self.logger = logger
        var queryLogger = logger
        queryLogger.logLevel = max(logger.logLevel, .warning)
        self.queryLogger = queryLogger
        let tls = try PostgresTLS(url)
        hosts = url.hosts.map { PostgresHost(address: $0, url: url, tls: tls, settings: settings, logger: queryLogger) }
    }

    /// Runs every host's pool until the task is cancelled or a graceful shutdown begins.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for host in hosts {
                group.addTask { await host.client.run() }
            }
        }
    }

    /// The host writes go to now, if one is known.
    public var currentPrimary: DatabaseURL.Host? {
        state.withLock { $0.primary }.map { hosts[$0].address }
    }

    /// Statements that change nothing, outside a transaction, on the located host; retried once
    /// on another host if this one is lost. `body` must not keep the connection.
    public func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await call(.read, body)
    }

    /// `body` in one REPEATABLE READ READ ONLY transaction: all its statements see one snapshot.
    public func snapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await call(.snapshot, body)
    }

    /// `body` in one READ COMMITTED transaction, committed when it returns and rolled back when it
    /// throws. An error `body` throws itself comes back unchanged; a database refusal comes as
    /// ``PostgresDatabaseError/refused(sqlState:constraint:message:)``.
    public func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await call(.write, body)
    }

    enum Kind: String {
        case read, snapshot, write
    }

    private func call<T: Sendable>(_ kind: Kind, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var retried = false
        while true {
            let index = try await primary()
            let outcome = await PostgresCall(kind: kind, host: hosts[index], timeout: settings.timeout, logger: queryLogger).run(body)
            switch outcome {
            case .success(let value):
                return value
            case .failure(let failure):
                if failure.hostLost { forget(index, because: failure.error) }
                if failure.hostLost, failure.nothingCommitted, !retried {
                    retried = true
                    continue
                }
                throw failure.reported
            }
        }
    }

    /// The located primary, locating it first when none is known; concurrent callers share one
    /// locate.
    private func primary() async throws -> Int {
        enum Next { case known(Int), wait(Task<Int, any Error>) }
        let next = state.withLock { state -> Next in
            if let primary = state.primary { return .known(primary) }
            if let locating = state.locating { return .wait(locating) }
            let task = Task { [self] in
                do {
                    let found = try await locate()
                    self.state.withLock { $0 = PrimaryState(primary: found, locating: nil) }
                    return found
                } catch {
                    self.state.withLock { $0.locating = nil }
                    throw error
                }
            }
            state.locating = task
            return .wait(task)
        }
        switch next {
        case .known(let index): return index
        case .wait(let task): return try await task.value
        }
    }

    private func forget(_ index: Int, because error: any Error) {
        let forgotten = state.withLock { state -> Bool in
            guard state.primary == index else { return false }
            state.primary = nil
            return true
        }
        if forgotten {
            logger.warning("PostgreSQL host lost; locating the primary again",
                           metadata: ["host": .string(hosts[index].address.description), "error": .string(PostgresFailure.describe(error))])
        }
    }

    func nextProbeID() -> Int {
        probeIDs.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
