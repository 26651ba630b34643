import Foundation
import GRDB
import NSCore
@testable import NSLedger
import Synchronization
import Testing

/// Lookups by tx hash and by artifact, whose entries wait in memory and reach the lookup tables
/// in batches: nothing committed may be missed, before, during or after a batch, or across a restart.
@Suite("ledger lookups written in batches")
struct LookupTablesTests {
    @Test("every committed tx is found by hash and by artifact, pending or written; a repeat is refused from either")
    func pendingAndWritten() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 7)
        var all: [LedgerTransaction] = []
        for _ in 0..<4 {
            let txs = LedgerFixture.txs(3, from: all.count)
            _ = try await store.append(try await fixture.proposal(store, txs))
            all += txs
        }
        // Block 4 began by writing the 9 entries pending by then; its own 3 wait.
        let pool = store.pool
        #expect(try await pool.read { db in try LookupTables.frontier(db) } == 9)
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tx_lookup") } == 9)
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM artifact_lookup") } == 9)
        #expect(store.lookups.count == 3)

        for (index, tx) in all.enumerated() {
            let found = try #require(try store.sqliteReader.transaction(hash: tx.hash), "leaf \(index)")
            #expect(found.leafIndex == UInt64(index) && found.blockHeight == UInt64(index / 3 + 1))
            #expect(try store.sqliteReader.transactions(artifactSHA256: tx.artifactSHA256).map(\.leafIndex) == [UInt64(index)])
        }
        #expect(try store.sqliteReader.transaction(hash: LedgerFixture.txs(1, from: 99)[0].hash) == nil)

        let receipts = try await store.submit([all[1], all[10]]).receipts
        #expect(receipts == [TxReceipt(txHash: all[1].hash.hex, status: .committed, blockHeight: 1, leafIndex: 1),
                             TxReceipt(txHash: all[10].hash.hex, status: .committed, blockHeight: 4, leafIndex: 10)])
        for repeated in [all[2], all[11]] {
            let fresh = LedgerFixture.txs(2, from: 50)
            await #expect(throws: BlockRejection.duplicateTx(index: 1, txHash: repeated.hash.hex)) {
                try await store.append(try await fixture.proposal(store, [fresh[0], repeated, fresh[1]]))
            }
        }
        #expect(store.lookups.count == 3, "a refused block leaves no entries behind")
        #expect(store.sqliteReader.head().header.height == 4)
    }

    @Test("an artifact anchored twice lists both transactions, one written and one pending, oldest first")
    func sharedArtifact() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 2)
        let artifact = MerkleHash.sha256(Array("the same file".utf8)).hex
        let twins = try (0..<2).map { index in
            try LedgerTransaction.make(artifactSHA256: artifact, artifactSize: 13, submitter: "user", jobID: "job_twin_\(index)",
                                       preview: "the same file", timeMs: LedgerFixture.now)
        }
        _ = try await store.append(try await fixture.proposal(store, [twins[0]] + LedgerFixture.txs(2)))
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(1, from: 2) + [twins[1]]))
        #expect(store.lookups.count == 2, "the first block's entries were written when the second began")
        #expect(try store.sqliteReader.transactions(artifactSHA256: artifact).map(\.hash) == twins.map(\.hash))
    }

    @Test("entries pending when the process ends are written when the ledger opens again")
    func restart() async throws {
        let fixture = try LedgerFixture()
        var store = try fixture.openStore()
        let txs = LedgerFixture.txs(7)
        _ = try await store.append(try await fixture.proposal(store, txs))
        #expect(store.lookups.count == 7)
        store = try fixture.openStore()
        #expect(store.lookups.count == 0)
        #expect(try await store.pool.read { db in try LookupTables.frontier(db) } == 7)
        for tx in txs { #expect(try store.sqliteReader.transaction(hash: tx.hash) != nil) }
        await #expect(throws: BlockRejection.duplicateTx(index: 0, txHash: txs[3].hash.hex)) {
            try await store.append(try await fixture.proposal(store, [txs[3]]))
        }
    }

    @Test("the migration moves an existing ledger's indexes into the lookup tables and drops the key columns")
    func migration() throws {
        let fixture = try LedgerFixture()
        var migrator = DatabaseMigrator()
        LedgerSchema.register(in: &migrator)
        let pool = try DatabasePool(path: fixture.path)
        try migrator.migrate(pool, upTo: "v2-validator-changes")
        let txs = LedgerFixture.txs(4)
        try pool.write { db in
            for (leaf, tx) in txs.enumerated() {
                try db.execute(sql: """
                    INSERT INTO txs (leaf_index, hash, hash_key, leaf_hash, block_height, artifact, artifact_key, body) VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                    """, arguments: [leaf, Data(tx.hash.bytes), tx.hash.lookupKey, Data(tx.leafHash.bytes), Data(tx.artifactDigest.bytes),
                                     tx.artifactDigest.lookupKey, Data(tx.canonical)])
            }
        }
        try migrator.migrate(pool)
        try pool.read { db in
            #expect(try LookupTables.frontier(db) == 4)
            #expect(try Int64.fetchAll(db, sql: "SELECT leaf_index FROM tx_lookup ORDER BY leaf_index") == [0, 1, 2, 3])
            for (leaf, tx) in txs.enumerated() {
                #expect(try Int64.fetchOne(db, sql: "SELECT leaf_index FROM artifact_lookup WHERE key = ?", arguments: [tx.artifactDigest.lookupKey]) == Int64(leaf))
            }
            let columns = try db.columns(in: "txs").map(\.name)
            #expect(!columns.contains("hash_key") && !columns.contains("artifact_key"))
            #expect(try db.indexes(on: "txs").isEmpty)
        }
    }

    @Test("readers running during appends and batch writes never miss an acknowledged transaction")
    func readersDuringBatches() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(lookupBatch: 25)
        let shared = Acknowledged()
        let reader = store.sqliteReader
        let checking = Task.detached {
            var misses = 0
            var rounds = 0
            while !shared.done.load(ordering: .acquiring) || rounds == 0 {
                rounds += 1
                for tx in shared.txs.withLock({ $0 }).suffix(60) where try reader.transaction(hash: tx.hash) == nil { misses += 1 }
            }
            return (misses, rounds)
        }
        for block in 0..<40 {
            let txs = LedgerFixture.txs(10, from: block * 10)
            _ = try await store.append(try await fixture.proposal(store, txs))
            shared.txs.withLock { $0 += txs }
        }
        shared.done.store(true, ordering: .releasing)
        let (misses, rounds) = try await checking.value
        #expect(misses == 0, "in \(rounds) rounds of reads")
        // A batch was written as each of blocks 4, 7, ..., 40 began: 390 entries in all.
        #expect(try await store.pool.read { db in try LookupTables.frontier(db) } == 390)
    }
}

/// What the appending side has been told is committed, shared with a reading task.
private final class Acknowledged: Sendable {
    let txs = Mutex<[LedgerTransaction]>([])
    let done = Atomic<Bool>(false)
}
