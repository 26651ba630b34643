import Foundation
import GRDB
import NSCore
@testable import NSLedger
import Testing

/// `POST /tx?dedupe=job` (``SubmitRule/onePerJob``): a job worked twice, whose second
/// attempt built a different transaction, is answered with the transaction the ledger already
/// holds for it, wherever that one stands, and nothing new is stored.
@Suite("one transaction per job id")
struct OnePerJobSubmitTests {
    static func tx(job: String, text: String) throws -> LedgerTransaction {
        try JobLookupTests.tx(job: job, text: text)
    }

    static func mempoolCount(_ store: SQLiteLedgerStore) async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mempool") ?? -1 }
    }

    @Test("a second transaction for a pending job is answered with the pending one and not stored; the default rule stores it")
    func pendingJob() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        let first = try Self.tx(job: "job_again", text: "first attempt")
        let second = try Self.tx(job: "job_again", text: "second attempt")
        #expect(try await store.submit([first], rule: .onePerJob).receipts == [TxReceipt(txHash: first.hash.hex, status: .pending)])
        let answer = try await store.submit([second], rule: .onePerJob).receipts
        #expect(answer == [TxReceipt(txHash: first.hash.hex, status: .pending, duplicateJob: true)])
        #expect(try await Self.mempoolCount(store) == 1)
        #expect(store.sqliteReader.head().pendingCount == 1)

        // The same transaction again is no duplicate of another.
        #expect(try await store.submit([first], rule: .onePerJob).receipts == [TxReceipt(txHash: first.hash.hex, status: .pending)])
        // Writers that record a series under one job id (admin-node's audit anchors) keep every one.
        #expect(try await store.submit([second]).receipts == [TxReceipt(txHash: second.hash.hex, status: .pending)])
        #expect(try await Self.mempoolCount(store) == 2)
    }

    @Test("a second transaction for a committed job is answered with the committed one, its entries in memory or written", arguments: [1, 16_384])
    func committedJob(lookupBatch: Int) async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: lookupBatch)
        let first = try Self.tx(job: "job_done", text: "first attempt")
        _ = try await store.append(try await fixture.proposal(store, [first]))
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(2)))  // with a batch of 1, writes block 1's entries
        let written = try await store.pool.read { db in try LookupTables.frontier(db) }
        #expect(written == (lookupBatch == 1 ? 1 : 0))

        let second = try Self.tx(job: "job_done", text: "second attempt, another sandbox duration")
        let answer = try await store.submit([second], rule: .onePerJob).receipts
        #expect(answer == [TxReceipt(txHash: first.hash.hex, status: .committed, blockHeight: 1, leafIndex: 0, duplicateJob: true)])
        #expect(try await Self.mempoolCount(store) == 0)
        guard case .committed(let held) = try store.sqliteReader.transaction(jobID: "job_done") else { throw OnePerJobFailure("job_done is not committed") }
        #expect(held.hash == first.hash)
    }

    @Test("within one call, the first transaction of a job is stored and a later one for the same job answered with it")
    func sameCall() async throws {
        let store = try LedgerFixture().openStore()
        let a1 = try Self.tx(job: "job_a", text: "a, attempt 1")
        let a2 = try Self.tx(job: "job_a", text: "a, attempt 2")
        let b = try Self.tx(job: "job_b", text: "b")
        let receipts = try await store.submit([a1, a2, b, a1], rule: .onePerJob).receipts
        #expect(receipts == [TxReceipt(txHash: a1.hash.hex, status: .pending), TxReceipt(txHash: a1.hash.hex, status: .pending, duplicateJob: true),
                             TxReceipt(txHash: b.hash.hex, status: .pending), TxReceipt(txHash: a1.hash.hex, status: .pending)])
        #expect(try await Self.mempoolCount(store) == 2)
    }

    @Test("two vp-nodes racing on one recovered job: one transaction is stored and both are answered with it")
    func racingSubmitters() async throws {
        let store = try LedgerFixture().openStore()
        for round in 0..<20 {
            let attempts = try (0..<2).map { try Self.tx(job: "job_race_\(round)", text: "round \(round), vp-node \($0)") }
            let receipts = try await withThrowingTaskGroup(of: TxReceipt.self) { group in
                for attempt in attempts { group.addTask { try await store.submit([attempt], rule: .onePerJob).receipts[0] } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(receipts.map(\.txHash)).count == 1, "round \(round): \(receipts)")
            #expect(receipts.filter(\.duplicateJob).count == 1, "round \(round): \(receipts)")
        }
        #expect(try await Self.mempoolCount(store) == 20)
    }

    @Test("a candidate whose key matches but whose body records another job is not an answer")
    func keyCollision() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 1)
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(1)))
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(1, from: 1)))  // writes the first block's entries
        let other = try Self.tx(job: "job_other", text: "another job entirely")
        // A key collision, made by hand: job_other's key now also names leaf 0 (job_0) and a mempool row of job_waiting.
        let waiting = try Self.tx(job: "job_waiting", text: "waiting")
        _ = try await store.submit([waiting], rule: .onePerJob).receipts
        try await store.pool.write { db in
            try db.execute(sql: "INSERT INTO job_lookup (key, leaf_index) VALUES (?, 0)", arguments: [LedgerJobKey.of("job_other")])
            try db.execute(sql: "UPDATE mempool SET job_key = ?", arguments: [LedgerJobKey.of("job_other")])
        }
        #expect(try await store.submit([other], rule: .onePerJob).receipts == [TxReceipt(txHash: other.hash.hex, status: .pending)])
        #expect(try await Self.mempoolCount(store) == 2)
    }

    @Test("a ledger that recorded several transactions for one job before this rule: a repeat of one names itself, a new one the newest committed")
    func severalBeforeTheRule() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        let older = try Self.tx(job: "job_legacy", text: "older")
        let newer = try Self.tx(job: "job_legacy", text: "newer")
        _ = try await store.append(try await fixture.proposal(store, [older]))
        _ = try await store.append(try await fixture.proposal(store, [newer]))
        #expect(try await store.submit([older], rule: .onePerJob).receipts == [TxReceipt(txHash: older.hash.hex, status: .committed, blockHeight: 1, leafIndex: 0)])
        let third = try Self.tx(job: "job_legacy", text: "third")
        #expect(try await store.submit([third], rule: .onePerJob).receipts
            == [TxReceipt(txHash: newer.hash.hex, status: .committed, blockHeight: 2, leafIndex: 1, duplicateJob: true)])
    }
}

private struct OnePerJobFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
