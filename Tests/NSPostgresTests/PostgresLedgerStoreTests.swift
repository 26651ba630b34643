import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport
import Testing

/// The ledger on PostgreSQL behaves as the SQLite one: the same receipts, blocks, rejections,
/// lookups and checkpoints.
@Suite("PostgreSQL ledger store")
struct PostgresLedgerStoreTests {
    @Test("submit, append and every read round-trip; repeats and bad blocks get SQLite's answers", .timeLimit(.minutes(1)))
    func roundTrip() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (store, open) = try await fixture.node()
        let reader = store.reader
        let txs = PostgresLedgerFixture.txs(3)

        let genesis = try await reader.head()
        #expect(genesis.header == Genesis.header(validators: fixture.validators))
        #expect(genesis.pendingCount == 0)
        #expect(try await reader.latestCheckpoint().hasPrefix("\(fixture.checkpointKey.name)\n0\n"))

        let submitted = try await store.submit(txs + [txs[0]], rule: .sameTransaction)
        #expect(submitted.receipts == (txs + [txs[0]]).map { TxReceipt(txHash: $0.hash.hex, status: .pending) })
        #expect(submitted.pendingCount == 3)
        let mempool = try await reader.mempool(limit: 2)
        #expect(mempool.total == 3)
        #expect(mempool.txs.map(\.hash) == txs.prefix(2).map(\.hash))
        #expect(mempool.txs.map(\.canonical) == txs.prefix(2).map(\.canonical))
        guard case .pending(let pendingHash, _) = try await reader.transaction(jobID: "job_1") else {
            Issue.record("job_1 should be pending")
            return
        }
        #expect(pendingHash == txs[1].hash)

        let proposal = try await fixture.proposal(store, txs)
        let appended = try await store.append(proposal)
        #expect(appended.header == proposal.header)
        #expect(appended.pendingCount == 0)

        let head = try await reader.head()
        #expect(head.header == proposal.header)
        #expect(head.hash == proposal.header.hash)
        #expect(head.frontier.size == 3)
        #expect(head.frontier.root == proposal.header.logRoot)
        #expect(head.pendingCount == 0)
        let latest = try await reader.latestBlock()
        #expect(latest.header == proposal.header)
        #expect(latest.txHashes == txs.map(\.hash))
        #expect(try await reader.block(height: 1)?.hash == proposal.header.hash)
        #expect(try await reader.block(height: 2) == nil)
        let inBlock = try await reader.transactions(inBlock: 1)
        #expect(inBlock.map(\.hash) == txs.map(\.hash))
        #expect(inBlock.map(\.leafIndex) == [0, 1, 2])
        #expect(inBlock.map(\.canonical) == txs.map(\.canonical))
        #expect(try await reader.transaction(hash: txs[2].hash)?.leafIndex == 2)
        #expect(try await reader.transaction(hash: MerkleHash.sha256(Array("nothing".utf8))) == nil)
        #expect(try await reader.transactions(artifactSHA256: txs[1].artifactSHA256).map(\.leafIndex) == [1])
        guard case .committed(let committed) = try await reader.transaction(jobID: "job_2") else {
            Issue.record("job_2 should be committed")
            return
        }
        #expect(committed.blockHeight == 1)
        #expect(try await reader.transaction(jobID: "job_unknown") == nil)
        #expect(try await reader.logSize() == 3)
        let checkpoint = try Checkpoint.verify(note: try await reader.latestCheckpoint(), name: fixture.checkpointKey.name,
                                               publicKey: fixture.checkpointKey.publicKey)
        #expect(checkpoint.size == 3)
        #expect(checkpoint.root == proposal.header.logRoot)
        #expect(try await reader.mempool(limit: 10).total == 0)

        // Submitted again once committed: acknowledged where it stands, not stored again.
        let again = try await store.submit([txs[1]], rule: .sameTransaction)
        #expect(again.receipts == [TxReceipt(txHash: txs[1].hash.hex, status: .committed, blockHeight: 1, leafIndex: 1)])
        #expect(again.pendingCount == 0)

        // The same block again is behind the tip; a committed transaction in a new block is a duplicate.
        await #expect(throws: BlockRejection.height(expected: 2, got: 1)) { _ = try await store.append(proposal) }
        let repeated = try await fixture.proposal(store, [PostgresLedgerFixture.txs(1, from: 3)[0], txs[0]])
        await #expect(throws: BlockRejection.duplicateTx(index: 1, txHash: txs[0].hash.hex)) { _ = try await store.append(repeated) }
        let unsigned = try await fixture.proposal(store, PostgresLedgerFixture.txs(1, from: 4)) { $0.producer = "someone-else" }
        await #expect(throws: BlockRejection.self) { _ = try await store.append(unsigned) }
        #expect(try await reader.head().header.height == 1)
        await open.stop()
    }

    @Test("a validator added through one node governs the next block appended through another")
    func validatorChangeSharedAcrossNodes() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (a, openA) = try await fixture.node()
        let (b, openB) = try await fixture.node()
        _ = try await b.append(try await fixture.proposal(b, PostgresLedgerFixture.txs(1)))
        await #expect(throws: ValidatorChangeError.lastValidator(id: fixture.validators[0].id)) {
            _ = try await a.changeValidators(.remove(id: fixture.validators[0].id), requestedBy: "admin")
        }
        let newcomer = LedgerKey(generatingNamed: "vp-node-2")
        let change = try await a.changeValidators(.add(Validator(name: "vp-node-2", publicKey: newcomer.publicKey)), requestedBy: "admin")
        #expect(change.effectiveHeight == 2)
        #expect(try await b.reader.validatorChanges(limit: 5).map(\.seq) == [change.seq])
        #expect(try await b.reader.validators().count == 2)
        let byNewcomer = try await fixture.proposal(b, PostgresLedgerFixture.txs(1, from: 1), key: newcomer)
        #expect(try await b.append(byNewcomer).header.height == 2)
        await openA.stop()
        await openB.stop()
    }
}
