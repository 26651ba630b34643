import Foundation
import NSCore
import NSLedger
import Testing

@Suite("block validation: each rule broken alone is rejected by name and changes nothing")
struct BlockValidationTests {
    /// A ledger with one committed block and three pending transactions.
    func prepared() async throws -> (LedgerFixture, LedgerStore, [LedgerTransaction]) {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        let first = LedgerFixture.txs(2)
        _ = try await store.submit(first)
        _ = try await store.append(await fixture.proposal(store, first))
        let pending = LedgerFixture.txs(3, from: 2)
        _ = try await store.submit(pending)
        return (fixture, store, pending)
    }

    func expectRejected(_ check: String, store: LedgerStore, _ proposal: BlockProposal) async throws {
        let tipBefore = await store.tipHeader
        let pendingBefore = await store.pendingCount
        let checkpointBefore = try store.reader.latestCheckpoint()
        await #expect {
            _ = try await store.append(proposal)
        } throws: { error in
            (error as? BlockRejection)?.check == check
        }
        #expect(await store.tipHeader == tipBefore)
        #expect(await store.pendingCount == pendingBefore)
        #expect(try store.reader.latestBlock().header == tipBefore)
        #expect(try store.reader.latestCheckpoint() == checkpointBefore)
        #expect(try store.reader.mempool(limit: 100).total == pendingBefore)
    }

    @Test("the unaltered proposal is accepted (the baseline every case departs from)")
    func baseline() async throws {
        let (fixture, store, pending) = try await prepared()
        let header = try await store.append(await fixture.proposal(store, pending))
        #expect(header.height == 2 && header.logSize == 5)
        #expect(await store.pendingCount == 0)
    }

    @Test("height ahead of the tip")
    func heightAhead() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("height", store: store, await fixture.proposal(store, pending) { $0.height += 1 })
    }

    @Test("two producers race: the first valid block wins, the second is a height conflict")
    func race() async throws {
        let (fixture, store, pending) = try await prepared()
        let winner = await fixture.proposal(store, Array(pending.prefix(2)))
        let loser = await fixture.proposal(store, Array(pending.suffix(1)), key: fixture.producer)
        _ = try await store.append(winner)
        try await expectRejected("height", store: store, loser)
        let rejection = BlockRejection.height(expected: 3, got: 2)
        #expect(rejection.isConflict)
    }

    @Test("prevHash not the tip's hash")
    func prevHash() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("prevHash", store: store, await fixture.proposal(store, pending) { $0.prevHash = MerkleTree.emptyRoot })
    }

    @Test("time before the tip, and too far in the future")
    func time() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("time", store: store, await fixture.proposal(store, pending) { $0.time -= 1 })
        try await expectRejected("time", store: store, await fixture.proposal(store, pending) { $0.time += 3_600_000 })
    }

    @Test("producer outside the validator set")
    func producer() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("producer", store: store, await fixture.proposal(store, pending, key: LedgerKey(generatingNamed: "rogue")))
    }

    @Test("signature by another key under a validator's id, and a header changed after signing")
    func signature() async throws {
        let (fixture, store, pending) = try await prepared()
        let rogue = LedgerKey(generatingNamed: "rogue")
        var forged = await fixture.proposal(store, pending).header
        forged.signature = rogue.sign(forged.signingBytes)
        try await expectRejected("signature", store: store, BlockProposal(header: forged, txs: pending))
        try await expectRejected("signature", store: store, await fixture.proposal(store, pending, resign: false) { $0.time += 1 })
    }

    @Test("no transactions")
    func empty() async throws {
        let (fixture, store, _) = try await prepared()
        try await expectRejected("txCount", store: store, await fixture.proposal(store, []))
    }

    @Test("a transaction repeated in the block, or already committed")
    func duplicates() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("duplicateTx", store: store, await fixture.proposal(store, pending + [pending[0]]))
        try await expectRejected("duplicateTx", store: store, await fixture.proposal(store, LedgerFixture.txs(1) + pending))
    }

    @Test("txRoot, logSize and logRoot that do not match")
    func roots() async throws {
        let (fixture, store, pending) = try await prepared()
        try await expectRejected("txRoot", store: store, await fixture.proposal(store, pending) { $0.txRoot = MerkleTree.emptyRoot })
        try await expectRejected("logSize", store: store, await fixture.proposal(store, pending) { $0.logSize += 1 })
        try await expectRejected("logRoot", store: store, await fixture.proposal(store, pending) { $0.logRoot = $0.txRoot })
    }

    @Test("a transaction outside the mempool is accepted when valid on its own")
    func validOnItsOwn() async throws {
        let (fixture, store, pending) = try await prepared()
        let outsider = LedgerFixture.txs(1, from: 99)
        let header = try await store.append(await fixture.proposal(store, pending + outsider))
        #expect(header.logSize == 6)
    }
}
