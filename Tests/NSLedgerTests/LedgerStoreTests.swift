import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("ledger store on a real SQLite file")
struct LedgerStoreTests {
    @Test("a new ledger has the deterministic genesis and a signed checkpoint of size 0")
    func genesis() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        #expect(await store.tipHeader == Genesis.header(validators: fixture.validators))
        let note = try store.reader.latestCheckpoint()
        let checkpoint = try Checkpoint.verify(note: note, name: fixture.checkpointKey.name, publicKey: fixture.checkpointKey.publicKey)
        #expect(checkpoint.size == 0 && checkpoint.root == MerkleTree.emptyRoot)
        #expect(try store.reader.validators().map(\.validator) == fixture.validators)
    }

    @Test("submitting is idempotent: a repeated tx gets the same answer and is stored once")
    func idempotentSubmit() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        let txs = LedgerFixture.txs(3)
        let first = try await store.submit(txs)
        let again = try await store.submit([txs[1], txs[1]])
        #expect(first.map(\.status) == [.pending, .pending, .pending])
        #expect(again.map(\.txHash) == [txs[1].hash.hex, txs[1].hash.hex])
        #expect(try store.reader.mempool(limit: 10).total == 3)
        #expect(await store.pendingCount == 3)

        _ = try await store.append(await fixture.proposal(store, txs))
        let committed = try await store.submit([txs[0]])
        #expect(committed == [TxReceipt(txHash: txs[0].hash.hex, status: .committed, blockHeight: 1, leafIndex: 0)])
        #expect(try store.reader.mempool(limit: 10).total == 0)
    }

    @Test("a full mempool refuses the whole batch and stores none of it")
    func boundedMempool() async throws {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore(mempoolMax: 5)
        _ = try await store.submit(LedgerFixture.txs(4))
        await #expect(throws: LedgerError.mempoolFull(limit: 5)) { try await store.submit(LedgerFixture.txs(2, from: 10)) }
        #expect(try store.reader.mempool(limit: 10).total == 4)
        _ = try await store.submit(LedgerFixture.txs(1, from: 10))
        #expect(await store.pendingCount == 5)
    }

    @Test("appending blocks: lookups, proofs against the signed checkpoint, and state after reopening")
    func appendAndProve() async throws {
        let fixture = try LedgerFixture()
        var store: LedgerStore? = try fixture.openStore()
        var all: [LedgerTransaction] = []
        for (block, count) in [3, 1, 8, 5, 16, 7].enumerated() {
            let txs = LedgerFixture.txs(count, from: all.count)
            _ = try await store!.submit(txs)  // set just above
            let header = try await store!.append(await fixture.proposal(store!, txs))
            #expect(header.height == UInt64(block + 1))
            all += txs
            if block == 2 { store = try fixture.openStore() }  // reopen mid-way: state comes back from disk
        }
        let reader = store!.reader  // still open
        let size = UInt64(all.count)
        let note = try reader.latestCheckpoint()
        let checkpoint = try Checkpoint.verify(note: note, name: fixture.checkpointKey.name, publicKey: fixture.checkpointKey.publicKey)
        #expect(checkpoint.size == size)
        #expect(checkpoint.root == MerkleTree.root(leaves: all.map(\.leafHash)))
        for (index, tx) in all.enumerated() {
            let found = try #require(try reader.transaction(hash: tx.hash))
            #expect(found.leafIndex == UInt64(index) && found.canonical == tx.canonical)
            for treeSize in [UInt64(index + 1), size] {
                let (proof, root) = try reader.inclusionProof(leaf: UInt64(index), size: treeSize)
                #expect(MerkleVerifier.verifyInclusion(leaf: tx.leafHash, index: UInt64(index), size: treeSize, proof: proof, root: root))
            }
        }
        for old in stride(from: 1, through: all.count, by: 3) {
            let (proof, oldRoot, newRoot) = try reader.consistencyProof(from: UInt64(old), to: size)
            #expect(newRoot == checkpoint.root)
            #expect(MerkleVerifier.verifyConsistency(oldSize: UInt64(old), newSize: size, oldRoot: oldRoot, newRoot: newRoot, proof: proof))
        }
        #expect(try reader.transactions(artifactSHA256: all[4].artifactSHA256).map(\.hash) == [all[4].hash])
        #expect(try reader.block(height: 3)?.txHashes == all[4..<12].map(\.hash))
        #expect(throws: LedgerError.self) { _ = try reader.inclusionProof(leaf: 0, size: size + 1) }
        if case .success(let summary) = try ChainAudit.audit(path: fixture.path) {
            #expect(summary.height == 6 && summary.logSize == size)
        } else {
            Issue.record("the chain should verify")
        }
    }
}
