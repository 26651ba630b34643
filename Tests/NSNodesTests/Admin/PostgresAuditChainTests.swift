import Foundation
import Logging
import NSCore
import NSPostgres
import PostgresNIO
import Testing

/// On PostgreSQL the audit chain's shape is the schema's rule, not only the store's: after two
/// stores race their appends into one chain, a row written past the store that would fork the
/// chain, or skip ahead of it, is refused by the database itself.
@Suite("PostgreSQL audit chain")
struct PostgresAuditChainTests {
    static let logger = Logger(label: "test.audit-chain")

    @Test("two stores racing 8 tasks x 50 appends make seq 1...400 unbroken, and the database refuses an entry that forks the chain",
          .timeLimit(.minutes(2)))
    func racedChainCannotFork() async throws {
        let under = try await AdminEngine.postgres.make()
        let database = try #require(under.postgres)
        let stores = [under.store, try await under.sibling()]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                let store = stores[task % 2]
                group.addTask {
                    for index in 0..<50 {
                        _ = try await store.append(AdminStoreConformanceTests.event("race-\(task)", outcome: "ok \(index)"), now: Date())
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await stores[0].all()
        #expect(all.map(\.sequence) == Array(1...400))
        #expect(AuditChain.firstBreak(in: all) == nil)

        let predecessor = all[199]
        let fork = Self.entry(after: predecessor, outcome: "forked")
        let sameSeq = try await Self.refusal(inserting: fork, into: database)
        #expect(sameSeq?.state == "23505" && sameSeq?.constraint == "audit_pkey", "a second entry after 200 takes seq 201, which is taken")

        var hidden = fork
        hidden.sequence = 401
        hidden.hash = hidden.computedHash
        let renumbered = try await Self.refusal(inserting: hidden, into: database)
        #expect(renumbered?.state == "23503" && renumbered?.constraint == "audit_chain", "seq 401 must name entry 400, not entry 200")

        let next = Self.entry(after: all[399], outcome: "continues")
        #expect(try await Self.refusal(inserting: next, into: database) == nil, "the entry that does extend the chain is accepted")
        let after = try await stores[1].append(AdminStoreConformanceTests.event("after"), now: Date())
        #expect(after.sequence == 402 && after.previousHash == next.hash, "the store reads the head from the database, not from memory")
        let extended = try await stores[0].all()
        #expect(extended.count == 402 && AuditChain.firstBreak(in: extended) == nil)
        try await under.stop()
    }

    /// A well-formed entry (its hash is its content's) claiming `predecessor` as the one before it.
    static func entry(after predecessor: AuditEntry, outcome: String) -> AuditEntry {
        var entry = AuditEntry(sequence: predecessor.sequence + 1, time: predecessor.time, event: AdminStoreConformanceTests.event("direct", outcome: outcome),
                               previousHash: predecessor.hash)
        entry.hash = entry.computedHash
        return entry
    }

    /// Inserts `entry` with plain SQL, without the store's lock or its reading of the head; the
    /// database's refusal (SQLSTATE and constraint), or nil when the row was accepted.
    static func refusal(inserting entry: AuditEntry, into database: NSPostgres.PostgresDatabase) async throws -> (state: String, constraint: String?)? {
        do {
            try await database.write { connection in
                try await connection.query("""
                    INSERT INTO admin.audit (seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash)
                    VALUES (\(entry.sequence), \(entry.time), \(entry.actor), \(entry.role), \(entry.source), \(entry.action), \(entry.target),
                            \(entry.outcome), \(entry.correlationID), \(entry.previousHash), \(entry.hash))
                    """, logger: logger)
            }
            return nil
        } catch PostgresDatabaseError.refused(let state, let constraint, _) {
            return (state, constraint)
        }
    }
}
