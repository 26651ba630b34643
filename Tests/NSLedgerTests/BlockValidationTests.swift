import Foundation
import NSCore
import NSLedger
import Testing

@Suite("block validation: each rule broken alone is rejected by name and changes nothing")
struct BlockValidationTests {
    /// A ledger with one committed block and three pending transactions.
    func prepared(_ engine: LedgerEngine) async throws -> (LedgerUnderTest, LedgerFixture, any LedgerStore, [LedgerTransaction]) {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        let first = LedgerFixture.txs(2)
        _ = try await store.submit(first)
        _ = try await store.append(try await fixture.proposal(store, first))
        let pending = LedgerFixture.txs(3, from: 2)
        _ = try await store.submit(pending)
        return (ledger, fixture, store, pending)
    }

    func expectRejected(_ check: String, store: any LedgerStore, _ proposal: BlockProposal) async throws {
        let before = try await store.reader.head()
        let tipBefore = before.header
        let pendingBefore = before.pendingCount
        let checkpointBefore = try await store.reader.latestCheckpoint()
        await #expect {
            _ = try await store.append(proposal)
        } throws: { error in
            (error as? BlockRejection)?.check == check
        }
        let after = try await store.reader.head()
        #expect(after.header == tipBefore)
        #expect(after.pendingCount == pendingBefore)
        #expect(try await store.reader.latestBlock().header == tipBefore)
        #expect(try await store.reader.latestCheckpoint() == checkpointBefore)
        #expect(try await store.reader.mempool(limit: 100).total == pendingBefore)
    }

    @Test("the unaltered proposal is accepted (the baseline every case departs from)", arguments: LedgerEngine.allCases)
    func baseline(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        let header = try await store.append(try await fixture.proposal(store, pending)).header
        #expect(header.height == 2 && header.logSize == 5)
        #expect(try await store.reader.head().pendingCount == 0)
        await ledger.stop()
    }

    @Test("height ahead of the tip", arguments: LedgerEngine.allCases)
    func heightAhead(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("height", store: store, try await fixture.proposal(store, pending) { $0.height += 1 })
        await ledger.stop()
    }

    @Test("two producers race: the first valid block wins, the second is a height conflict", arguments: LedgerEngine.allCases)
    func race(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        let winner = try await fixture.proposal(store, Array(pending.prefix(2)))
        let loser = try await fixture.proposal(store, Array(pending.suffix(1)), key: fixture.producer)
        _ = try await store.append(winner)
        try await expectRejected("height", store: store, loser)
        let rejection = BlockRejection.height(expected: 3, got: 2)
        #expect(rejection.isConflict)
        await ledger.stop()
    }

    @Test("prevHash not the tip's hash", arguments: LedgerEngine.allCases)
    func prevHash(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("prevHash", store: store, try await fixture.proposal(store, pending) { $0.prevHash = MerkleTree.emptyRoot })
        await ledger.stop()
    }

    @Test("time before the tip, and too far in the future", arguments: LedgerEngine.allCases)
    func time(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("time", store: store, try await fixture.proposal(store, pending) { $0.time -= 1 })
        try await expectRejected("time", store: store, try await fixture.proposal(store, pending) { $0.time += 3_600_000 })
        await ledger.stop()
    }

    @Test("producer outside the validator set", arguments: LedgerEngine.allCases)
    func producer(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("producer", store: store, try await fixture.proposal(store, pending, key: LedgerKey(generatingNamed: "rogue")))
        await ledger.stop()
    }

    @Test("signature by another key under a validator's id, and a header changed after signing", arguments: LedgerEngine.allCases)
    func signature(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        let rogue = LedgerKey(generatingNamed: "rogue")
        var forged = try await fixture.proposal(store, pending).header
        forged.signature = rogue.sign(forged.signingBytes)
        try await expectRejected("signature", store: store, BlockProposal(header: forged, txs: pending))
        try await expectRejected("signature", store: store, try await fixture.proposal(store, pending, resign: false) { $0.time += 1 })
        await ledger.stop()
    }

    @Test("no transactions", arguments: LedgerEngine.allCases)
    func empty(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, _) = try await prepared(engine)
        try await expectRejected("txCount", store: store, try await fixture.proposal(store, []))
        await ledger.stop()
    }

    @Test("a transaction repeated in the block, or already committed", arguments: LedgerEngine.allCases)
    func duplicates(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("duplicateTx", store: store, try await fixture.proposal(store, pending + [pending[0]]))
        try await expectRejected("duplicateTx", store: store, try await fixture.proposal(store, LedgerFixture.txs(1) + pending))
        await ledger.stop()
    }

    @Test("txRoot, logSize and logRoot that do not match", arguments: LedgerEngine.allCases)
    func roots(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        try await expectRejected("txRoot", store: store, try await fixture.proposal(store, pending) { $0.txRoot = MerkleTree.emptyRoot })
        try await expectRejected("logSize", store: store, try await fixture.proposal(store, pending) { $0.logSize += 1 })
        try await expectRejected("logRoot", store: store, try await fixture.proposal(store, pending) { $0.logRoot = $0.txRoot })
        await ledger.stop()
    }

    @Test("a transaction outside the mempool is accepted when valid on its own", arguments: LedgerEngine.allCases)
    func validOnItsOwn(engine: LedgerEngine) async throws {
        let (ledger, fixture, store, pending) = try await prepared(engine)
        let outsider = LedgerFixture.txs(1, from: 99)
        let header = try await store.append(try await fixture.proposal(store, pending + outsider)).header
        #expect(header.logSize == 6)
        await ledger.stop()
    }
}
