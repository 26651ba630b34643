import Foundation
import GRDB
import NSCore
@testable import NSLedger
import Testing

/// Lookups by job id, which outlive the job's queue record: committed transactions whether their
/// entries wait in memory or are written, pending ones in the mempool, and ledgers that existed
/// before the lookup did.
@Suite("ledger lookup by job id")
struct JobLookupTests {
    /// A transaction for `jobID`, distinct per `text`.
    static func tx(job jobID: String, text: String, submitter: String = "alice") throws -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(Array(text.utf8)).hex, artifactSize: Int64(text.utf8.count),
                                   submitter: submitter, jobID: jobID, preview: text, timeMs: LedgerFixture.now)
    }

    @Test("every committed tx is found by its job id on both sides of the frontier; unknown ids are not")
    func committedAcrossFrontier() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 4)
        var all: [LedgerTransaction] = []
        for _ in 0..<3 {
            let txs = LedgerFixture.txs(3, from: all.count)
            _ = try await store.append(try await fixture.proposal(store, txs))
            all += txs
        }
        // Block 3 began by writing the 6 entries pending by then; its own 3 wait in memory.
        #expect(try await store.pool.read { db in try LookupTables.frontier(db) } == 6)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job_lookup") } == 6)
        #expect(store.lookups.count == 3)
        for (index, tx) in all.enumerated() {
            guard case .committed(let found) = try store.sqliteReader.transaction(jobID: tx.jobID) else {
                Issue.record("leaf \(index) (\(tx.jobID)) is not found as committed")
                continue
            }
            #expect(found.hash == tx.hash && found.leafIndex == UInt64(index) && found.blockHeight == UInt64(index / 3 + 1))
            #expect(found.canonical == tx.canonical)
        }
        #expect(try store.sqliteReader.transaction(jobID: "job_never") == nil)
        #expect(try store.sqliteReader.transaction(jobID: "job_1x") == nil, "a job id that starts like another is a different one")
    }

    @Test("a candidate whose body records another job id is not an answer")
    func candidatesConfirmed() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 1)
        let txs = LedgerFixture.txs(2)
        _ = try await store.append(try await fixture.proposal(store, txs))
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(1, from: 2)))  // writes the first block's entries
        // A key collision, made by hand: job_other's key now also names leaf 0, which records job_0.
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO job_lookup (key, leaf_index) VALUES (?, 0)", arguments: [LedgerJobKey.of("job_other")])
        }
        #expect(try store.sqliteReader.transaction(jobID: "job_other") == nil)
        guard case .committed(let found) = try store.sqliteReader.transaction(jobID: "job_0") else { throw LookupFailure("job_0 is not committed") }
        #expect(found.leafIndex == 0)
    }

    @Test("a tx in the mempool is found as pending, then as committed once in a block; the newest of several is answered")
    func mempoolAndNewest() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        let first = try Self.tx(job: "job_twice", text: "first attempt")
        _ = try await store.submit([first]).receipts
        guard case .pending(let hash, let canonical) = try store.sqliteReader.transaction(jobID: "job_twice") else {
            throw LookupFailure("job_twice is not pending")
        }
        #expect(hash == first.hash && canonical == first.canonical)

        _ = try await store.append(try await fixture.proposal(store, [first]))
        guard case .committed(let committed) = try store.sqliteReader.transaction(jobID: "job_twice") else { throw LookupFailure("job_twice is not committed") }
        #expect(committed.hash == first.hash && committed.blockHeight == 1)

        // A retry that built a different transaction for the same job: pending, the committed one is still the answer.
        let second = try Self.tx(job: "job_twice", text: "second attempt")
        _ = try await store.submit([second]).receipts
        guard case .committed(let stillFirst) = try store.sqliteReader.transaction(jobID: "job_twice") else { throw LookupFailure("job_twice is not committed") }
        #expect(stillFirst.hash == first.hash)
        _ = try await store.append(try await fixture.proposal(store, [second]))
        guard case .committed(let newest) = try store.sqliteReader.transaction(jobID: "job_twice") else { throw LookupFailure("job_twice is not committed") }
        #expect(newest.hash == second.hash && newest.leafIndex == 1)
    }

    @Test("the migration fills job_lookup below the frontier and the mempool's job keys; opening writes the rest")
    func migration() async throws {
        let fixture = try LedgerFixture()
        let (committed, waiting) = try await Self.fill(fixture)

        // The database as a ledger without the lookup by job id left it.
        let old = try DatabasePool(path: fixture.path)
        try await old.write { db in
            try db.execute(sql: """
                DROP TABLE job_lookup;
                DROP INDEX mempool_by_job;
                ALTER TABLE mempool DROP COLUMN job_key;
                DELETE FROM grdb_migrations WHERE identifier = 'v4-job-lookup';
                """)
        }
        try old.close()

        let pool = try fixture.openPool()
        try await pool.read { db in
            #expect(try LookupTables.frontier(db) == 6)
            let rows = try Row.fetchAll(db, sql: "SELECT key, leaf_index FROM job_lookup ORDER BY leaf_index")
            #expect(rows.map { $0[1] as Int64 } == Array(0..<6))
            for row in rows {
                #expect(row[0] as Int64 == LedgerJobKey.of(committed[Int(row[1] as Int64)].jobID))
            }
            let keys = try Int64.fetchAll(db, sql: "SELECT job_key FROM mempool ORDER BY seq")
            #expect(keys == waiting.map { LedgerJobKey.of($0.jobID) })
            #expect(try db.indexes(on: "mempool").contains { $0.name == "mempool_by_job" })
        }
        try pool.close()

        let reopened = try fixture.openStore(lookupBatch: 4)
        #expect(try await reopened.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job_lookup") } == 9)
        for (index, tx) in committed.enumerated() {
            guard case .committed(let found) = try reopened.sqliteReader.transaction(jobID: tx.jobID) else {
                Issue.record("leaf \(index) is not found after the migration")
                continue
            }
            #expect(found.leafIndex == UInt64(index))
        }
        for tx in waiting {
            guard case .pending(let hash, _) = try reopened.sqliteReader.transaction(jobID: tx.jobID) else {
                Issue.record("\(tx.jobID) is not found pending after the migration")
                continue
            }
            #expect(hash == tx.hash)
        }
    }

    /// Three blocks of three and two pending transactions, by a store that then goes away with
    /// the last block's lookup entries still in memory (as in a crash).
    private static func fill(_ fixture: LedgerFixture) async throws -> (committed: [LedgerTransaction], waiting: [LedgerTransaction]) {
        let store = try fixture.openStore(lookupBatch: 4)
        var committed: [LedgerTransaction] = []
        for _ in 0..<3 {
            let txs = LedgerFixture.txs(3, from: committed.count)
            _ = try await store.append(try await fixture.proposal(store, txs))
            committed += txs
        }
        let waiting = LedgerFixture.txs(2, from: 100)
        _ = try await store.submit(waiting).receipts
        return (committed, waiting)
    }
}

/// A lookup that did not find what a test expected.
private struct LookupFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
