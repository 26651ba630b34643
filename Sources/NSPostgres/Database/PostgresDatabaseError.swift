import NSCore
import PostgresNIO

/// Why a database call failed. None of the texts carries the password or a bound value.
public enum PostgresDatabaseError: Error, Sendable, CustomStringConvertible {
    /// No writable host was reached in time (each host's reason is named); nothing was committed.
    /// Answer 503 and let the caller retry.
    case unavailable(String)
    /// Two hosts both take writes (an old primary back without pg_rewind): nsd writes to neither
    /// until an operator fences one. Answer 503.
    case splitBrain(hosts: [String])
    /// COMMIT was sent and no answer came: the transaction may or may not have committed.
    /// Answer 503; the caller's retry must be safe to repeat.
    case outcomeUnknown(String)
    /// The database refused a statement (a constraint, a bad query): `sqlState` says which.
    case refused(sqlState: String, constraint: String?, message: String)

    public var description: String {
        switch self {
        case .unavailable(let why): "PostgreSQL unavailable: \(why)"
        case .splitBrain(let hosts):
            "PostgreSQL hosts \(hosts.joined(separator: " and ")) both take writes; nsd writes to neither until one is fenced (pg_rewind or rebuilt as a standby)"
        case .outcomeUnknown(let why): "PostgreSQL commit outcome unknown: \(why)"
        case .refused(let state, let constraint, let message):
            "PostgreSQL refused the statement (SQLSTATE \(state)\(constraint.map { ", constraint \($0)" } ?? "")): \(message)"
        }
    }

    /// Whether the caller should answer 503 (the store is unreachable or the outcome is unknown)
    /// rather than report a refusal.
    public var isUnavailable: Bool {
        if case .refused = self { return false }
        return true
    }
}

/// How a failure from postgres-nio is read: whether the host is lost (locate again), and a
/// description safe to log.
enum PostgresFailure {
    /// SQLSTATEs after which the host cannot take our writes: admin shutdown, crash shutdown,
    /// cannot connect now (starting or shutting down), read-only transaction (a demoted primary).
    static let hostLostStates: Set<String> = ["57P01", "57P02", "57P03", "25006"]

    static func isHostLost(_ error: any Error) -> Bool {
        if error is DeadlineExceeded { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return hostLostStates.contains(state) || state.hasPrefix("08")
        default:
            return false
        }
    }

    /// The server's message and SQLSTATE, or the client-side error's kind; never the query's binds.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DeadlineExceeded { return error.description }
        if let error = error as? PostgresDatabaseError { return error.description }
        guard let error = error as? PSQLError else { return String(describing: type(of: error)) }
        if let info = error.serverInfo {
            return "\(info[.message] ?? "server error") (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        let underlying = error.underlying.map { ": \(String(describing: $0))" } ?? ""
        return "\(error.code)\(underlying)"
    }

    /// `error` as a ``PostgresDatabaseError`` when it comes from the database, else itself (an
    /// error the caller's own code threw passes through unchanged).
    static func translate(_ error: any Error) -> any Error {
        guard let psql = error as? PSQLError else {
            if error is DeadlineExceeded { return PostgresDatabaseError.unavailable(describe(error)) }
            return error
        }
        if isHostLost(psql) { return PostgresDatabaseError.unavailable(describe(psql)) }
        if let info = psql.serverInfo {
            return PostgresDatabaseError.refused(sqlState: info[.sqlState] ?? "?", constraint: info[.constraintName], message: info[.message] ?? "")
        }
        return PostgresDatabaseError.unavailable(describe(psql))
    }
}
