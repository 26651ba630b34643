import GRDB
import NSCore
@testable import NSLedger
import Testing

/// ``LedgerReader/newestTransaction(jobID:)``: the newest transaction recording a job id, pending
/// or committed, which admin-node's audit anchors need (a newer anchor waiting for its block must
/// not be hidden by an older committed one).
@Suite("newest transaction by job id")
struct NewestJobTransactionTests {
    /// The answer's hash and block height (`nil` while pending).
    static func summary(_ answer: JobTransaction?) -> (hash: MerkleHash, height: UInt64?)? {
        switch answer {
        case .committed(let tx): (tx.hash, tx.blockHeight)
        case .pending(let hash, _): (hash, nil)
        case nil: nil
        }
    }

    @Test("a pending transaction is newer than a committed one; once it commits it is answered as committed", arguments: LedgerEngine.allCases)
    func pendingBeforeCommitted(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        #expect(try await store.reader.newestTransaction(jobID: "audit-head-x") == nil)
        let first = try JobLookupTests.tx(job: "audit-head-x", text: "head 3")
        _ = try await store.submit([first])
        _ = try await store.append(try await fixture.proposal(store, [first]))
        let second = try JobLookupTests.tx(job: "audit-head-x", text: "head 5")
        _ = try await store.submit([second])

        let newest = try #require(Self.summary(try await store.reader.newestTransaction(jobID: "audit-head-x")))
        #expect(newest.hash == second.hash && newest.height == nil)
        let forJobs = try #require(Self.summary(try await store.reader.transaction(jobID: "audit-head-x")))
        #expect(forJobs.hash == first.hash && forJobs.height == 1, "the job lookup still answers the committed one")

        _ = try await store.append(try await fixture.proposal(store, [second]))
        let committed = try #require(Self.summary(try await store.reader.newestTransaction(jobID: "audit-head-x")))
        #expect(committed.hash == second.hash && committed.height == 2)
        await ledger.stop()
    }

    /// admin-node anchors its audit head under one job id up to once a minute, for as long as it
    /// runs: the newest of many must be found, whether its lookup entry waits in memory or is
    /// written, and past newer candidates whose key is the same but whose job id is another.
    /// The lookup frontier and the hand-made key collisions are SQLite's (its lookup tables); the
    /// answers are checked on every engine.
    @Test("many transactions under one job id: the newest is answered, on both sides of the lookup frontier and past key collisions",
          arguments: LedgerEngine.allCases)
    func newestOfMany(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(lookupBatch: 8)
        let (fixture, store) = (ledger.fixture, ledger.store)
        let job = "audit-head-admin-node"
        var others = 0
        var newest: LedgerTransaction?
        for block in 0..<12 {
            let anchors = try (0..<4).map { try JobLookupTests.tx(job: job, text: "head \(block)-\($0)") }
            let txs = LedgerFixture.txs(2, from: others) + anchors + LedgerFixture.txs(1, from: others + 2)
            others += 3
            _ = try await store.append(try await fixture.proposal(store, txs))
            newest = anchors.last
            for answer in [try await store.reader.newestTransaction(jobID: job), try await store.reader.transaction(jobID: job)] {
                let found = try #require(Self.summary(answer), "block \(block + 1)")
                #expect(found.hash == newest?.hash && found.height == UInt64(block + 1), "block \(block + 1)")
            }
        }
        if let sqlite = ledger.sqlite {
            // Seven entries a block, written in batches of at least 8: the newest block's wait in memory.
            #expect(try await sqlite.pool.read { db in try LookupTables.frontier(db) } == 70)
            #expect(sqlite.lookups.count == 14)
        }

        // Newer leaves recording other jobs, made candidates for the anchors' key by hand (key
        // collisions): more of them than the first pages read.
        let later = LedgerFixture.txs(20, from: others)
        _ = try await store.append(try await fixture.proposal(store, later))
        let size = try await store.reader.logSize()
        try await ledger.sqlite?.pool.write { db in
            for leaf in Int64(size) - 20..<Int64(size) {
                try db.execute(sql: "INSERT INTO job_lookup (key, leaf_index) VALUES (?, ?)", arguments: [LedgerJobKey.of(job), leaf])
            }
        }
        for answer in [try await store.reader.newestTransaction(jobID: job), try await store.reader.transaction(jobID: job)] {
            let found = try #require(Self.summary(answer))
            #expect(found.hash == newest?.hash && found.height == 12)
        }

        // A newer anchor waiting in the mempool: the newest read answers it, the job read the committed one.
        let waiting = try JobLookupTests.tx(job: job, text: "head waiting")
        _ = try await store.submit([waiting])
        #expect(Self.summary(try await store.reader.newestTransaction(jobID: job))?.hash == waiting.hash)
        #expect(Self.summary(try await store.reader.transaction(jobID: job))?.hash == newest?.hash)
        #expect(try await store.reader.transaction(jobID: "audit-head-other") == nil)
        await ledger.stop()
    }
}
