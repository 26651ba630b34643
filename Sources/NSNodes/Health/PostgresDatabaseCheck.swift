import NSPostgres

extension DependencyCheck {
    /// `/health`'s `store` check of a node whose state is in PostgreSQL: passes when the primary
    /// answers within the database deadline and takes writes (its detail names that host); fails
    /// with the reason (no host reachable, a refused password, only a standby left) otherwise.
    static func postgres(_ database: PostgresDatabase) -> DependencyCheck {
        .reporting(name: "store") { _ in
            do {
                return "PostgreSQL primary \(try await database.writablePrimary())"
            } catch let error as PostgresDatabaseError {
                throw DependencyFailure(error.description)
            } catch {
                throw DependencyFailure("PostgreSQL probe failed (\(type(of: error)))")
            }
        }
    }
}
