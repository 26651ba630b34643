import Logging
import NIOCore
import NSCore
import PostgresNIO
import Synchronization

extension PostgresDatabase {
    /// What a host answered to the probe.
    struct HostRole: Sendable {
        let inRecovery: Bool
        let readOnly: Bool

        var takesWrites: Bool { !inRecovery && !readOnly }
    }

    /// Asks every host, at once and each under the connect timeout, whether it is in recovery and
    /// whether its transactions are read-only, and returns the index of the one to use: the host
    /// that takes writes (`target_session_attrs=read-write`), or the first in URL order that
    /// answered (`any`). Two hosts that both take writes are a split brain: neither is used, and
    /// an error log names both. Each probe uses its own connection, so its error (a refused
    /// password, say) is the server's own, not a pool's timeout.
    func locate() async throws(PostgresDatabaseError) -> Int {
        let answers = await withTaskGroup(of: (Int, Result<HostRole, any Error>).self) { group in
            for index in hosts.indices {
                group.addTask { (index, await self.probe(self.hosts[index])) }
            }
            var answers: [Int: Result<HostRole, any Error>] = [:]
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        let roles = hosts.indices.map { index in (index, answers[index] ?? .failure(CancellationError())) }
        let chosen: [Int] = switch url.targetSessionAttributes {
        case .readWrite: roles.compactMap { index, role in ((try? role.get())?.takesWrites == true) ? index : nil }
        case .any: roles.first { (try? $0.1.get()) != nil }.map { [$0.0] } ?? []
        }
        if chosen.count > 1 {
            let names = chosen.map { hosts[$0].address.description }
            logger.error("PostgreSQL split brain: several hosts take writes, so nsd writes to none of them; fence the old primary",
                         metadata: ["hosts": .string(names.joined(separator: ", "))])
            throw .splitBrain(hosts: names)
        }
        guard let index = chosen.first else {
            let reasons = roles.map { index, role in
                let why = switch role {
                case .success(let role): role.inRecovery ? "in recovery (a standby)" : "read-only"
                case .failure(let error): PostgresFailure.describe(error)
                }
                return "\(hosts[index].address): \(why)"
            }
            throw .unavailable("no host \(url.targetSessionAttributes == .any ? "answered" : "takes writes"): \(reasons.joined(separator: "; "))")
        }
        if hosts.count > 1 || currentPrimary == nil {
            logger.info("PostgreSQL host located", metadata: ["host": .string(hosts[index].address.description),
                                                              "target_session_attrs": .string(url.targetSessionAttributes.rawValue)])
        }
        return index
    }

    private func probe(_ host: PostgresHost) async -> Result<HostRole, any Error> {
        let limit = url.connectTimeout ?? settings.timeout
        let (configuration, logger, id) = (host.probe, queryLogger, nextProbeID())
        let opened = Shared<PostgresConnection?>(nil)
        do {
            return .success(try await withDeadline(limit, "the probe of \(host.address)", onExpiry: { _ = opened.value?.close() as EventLoopFuture<Void>? }) {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                opened.withLock { $0 = connection }
                do {
                    let rows = try await connection.query("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')", logger: logger)
                    var role: HostRole?
                    for try await (inRecovery, readOnly) in rows.decode((Bool, String).self) {
                        role = HostRole(inRecovery: inRecovery, readOnly: readOnly == "on")
                    }
                    try await connection.close()
                    guard let role else { throw PostgresDatabaseError.unavailable("\(host.address) answered the probe with no row") }
                    return role
                } catch {
                    // The probe's own error is the one that matters; the connection goes either way.
                    try? await connection.close()
                    throw error
                }
            })
        } catch {
            return .failure(error)
        }
    }
}
