import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("ledger store on every engine")
struct LedgerStoreTests {
    @Test("a new ledger has the deterministic genesis and a signed checkpoint of size 0", arguments: LedgerEngine.allCases)
    func genesis(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        #expect(try await store.reader.head().header == Genesis.header(validators: fixture.validators))
        let note = try await store.reader.latestCheckpoint()
        let checkpoint = try Checkpoint.verify(note: note, name: fixture.checkpointKey.name, publicKey: fixture.checkpointKey.publicKey)
        #expect(checkpoint.size == 0 && checkpoint.root == MerkleTree.emptyRoot)
        #expect(try await store.reader.validators().map(\.validator) == fixture.validators)
        await ledger.stop()
    }

    @Test("submitting is idempotent: a repeated tx gets the same answer and is stored once", arguments: LedgerEngine.allCases)
    func idempotentSubmit(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        let txs = LedgerFixture.txs(3)
        let first = try await store.submit(txs)
        let again = try await store.submit([txs[1], txs[1]])
        #expect(first.receipts.map(\.status) == [.pending, .pending, .pending])
        #expect(again.receipts.map(\.txHash) == [txs[1].hash.hex, txs[1].hash.hex])
        #expect(try await store.reader.mempool(limit: 10).total == 3)
        #expect(try await store.reader.head().pendingCount == 3)
        #expect(again.pendingCount == 3, "the outcome carries the mempool size after the submit")

        let appended = try await store.append(try await fixture.proposal(store, txs))
        #expect(appended.pendingCount == 0, "the outcome carries the mempool size after the block")
        let committed = try await store.submit([txs[0]])
        #expect(committed.receipts == [TxReceipt(txHash: txs[0].hash.hex, status: .committed, blockHeight: 1, leafIndex: 0)])
        #expect(try await store.reader.mempool(limit: 10).total == 0)
        await ledger.stop()
    }

    @Test("a full mempool refuses the whole batch and stores none of it", arguments: LedgerEngine.allCases)
    func boundedMempool(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(mempoolMax: 5)
        let store = ledger.store
        _ = try await store.submit(LedgerFixture.txs(4))
        await #expect(throws: LedgerError.mempoolFull(limit: 5)) { try await store.submit(LedgerFixture.txs(2, from: 10)) }
        #expect(try await store.reader.mempool(limit: 10).total == 4)
        _ = try await store.submit(LedgerFixture.txs(1, from: 10))
        #expect(try await store.reader.head().pendingCount == 5)
        await ledger.stop()
    }

    @Test("appending blocks: lookups, proofs against the signed checkpoint, and state after reopening", arguments: LedgerEngine.allCases)
    func appendAndProve(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        let fixture = ledger.fixture
        var store = ledger.store
        var all: [LedgerTransaction] = []
        for (block, count) in [3, 1, 8, 5, 16, 7].enumerated() {
            let txs = LedgerFixture.txs(count, from: all.count)
            _ = try await store.submit(txs)
            let header = try await store.append(try await fixture.proposal(store, txs)).header
            #expect(header.height == UInt64(block + 1))
            all += txs
            if block == 2 { store = try await ledger.reopen() }  // reopen mid-way: state comes back from the database
        }
        let reader = store.reader
        let size = UInt64(all.count)
        let note = try await reader.latestCheckpoint()
        let checkpoint = try Checkpoint.verify(note: note, name: fixture.checkpointKey.name, publicKey: fixture.checkpointKey.publicKey)
        #expect(checkpoint.size == size)
        #expect(checkpoint.root == MerkleTree.root(leaves: all.map(\.leafHash)))
        for (index, tx) in all.enumerated() {
            let found = try #require(try await reader.transaction(hash: tx.hash))
            #expect(found.leafIndex == UInt64(index) && found.canonical == tx.canonical)
            for treeSize in [UInt64(index + 1), size] {
                let (proof, root) = try await reader.inclusionProof(leaf: UInt64(index), size: treeSize)
                #expect(MerkleVerifier.verifyInclusion(leaf: tx.leafHash, index: UInt64(index), size: treeSize, proof: proof, root: root))
            }
        }
        for old in stride(from: 1, through: all.count, by: 3) {
            let (proof, oldRoot, newRoot) = try await reader.consistencyProof(from: UInt64(old), to: size)
            #expect(newRoot == checkpoint.root)
            #expect(MerkleVerifier.verifyConsistency(oldSize: UInt64(old), newSize: size, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
        }
        #expect(try await reader.transactions(artifactSHA256: all[4].artifactSHA256).map(\.hash) == [all[4].hash])
        #expect(try await reader.block(height: 3)?.txHashes == all[4..<12].map(\.hash))
        await #expect(throws: LedgerError.self) { _ = try await reader.inclusionProof(leaf: 0, size: size + 1) }
        if case .success(let summary) = try await ledger.audit() {
            #expect(summary.height == 6 && summary.logSize == size)
        } else {
            Issue.record("the chain should verify")
        }
        await ledger.stop()
    }
}
