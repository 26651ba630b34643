import NSCore
import PostgresNIO

extension PostgresDatabase {
    /// For `/health`: asks the located primary (locating it first when none is known) whether it
    /// still takes writes, under the call deadline, and returns that host. Throws
    /// ``PostgresDatabaseError/unavailable(_:)`` naming the reason when no writable host answers
    /// in time, or when the host answers as a standby or read-only.
    public func writablePrimary() async throws -> DatabaseURL.Host {
        let logger = queryLogger
        let role = try await read { connection in
            let rows = try await connection.query("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')", logger: logger)
            var role: HostRole?
            for try await (inRecovery, readOnly) in rows.decode((Bool, String).self) {
                role = HostRole(inRecovery: inRecovery, readOnly: readOnly == "on")
            }
            return role
        }
        let host = currentPrimary.map(\.description) ?? "the located host"
        guard let role else { throw PostgresDatabaseError.unavailable("\(host) answered the probe with no row") }
        guard role.takesWrites, let primary = currentPrimary else {
            throw PostgresDatabaseError.unavailable("\(host) does not take writes (\(role.inRecovery ? "in recovery: a standby" : "read-only"))")
        }
        return primary
    }
}
