import NSCore
import NSLedger
import Testing

/// Every engine's proofs are the ones the Merkle tree rules give (``InMemorySubtrees``, RFC 6962),
/// at every small size and on both sides of powers of two, where a tree's shape changes.
@Suite("proofs from the store equal the in-memory tree's")
struct ProofConformanceTests {
    /// Leaves in blocks of uneven sizes, so block boundaries fall everywhere in the tree.
    static let leafCount = 1_100
    static let sizes: [UInt64] = Array(1...300) + [255, 256, 257, 511, 512, 513, 1_023, 1_024, 1_025, 1_100].map { UInt64($0) }

    /// A ledger holding ``leafCount`` transactions, and their leaf hashes.
    func filled(_ engine: LedgerEngine) async throws -> (LedgerUnderTest, [MerkleHash]) {
        let ledger = try await engine.make()
        let txs = LedgerFixture.txs(Self.leafCount)
        var start = 0
        var blockSize = 1
        while start < txs.count {
            let end = min(txs.count, start + blockSize)
            _ = try await ledger.store.append(try await ledger.fixture.proposal(ledger.store, Array(txs[start..<end])))
            start = end
            blockSize = blockSize % 97 + 13
        }
        return (ledger, txs.map(\.leafHash))
    }

    @Test("inclusion proofs and roots, for the first, middle and last leaf of every size", arguments: LedgerEngine.allCases)
    func inclusion(engine: LedgerEngine) async throws {
        let (ledger, leaves) = try await filled(engine)
        let memory = InMemorySubtrees(leaves: leaves)
        for size in Self.sizes {
            let expectedRoot = try MerkleTree.rootOfRange(0, size, source: memory)
            for leaf in Set([0, size / 2, size - 1]) {
                let (proof, root) = try await ledger.reader.inclusionProof(leaf: leaf, size: size)
                #expect(root == expectedRoot, "size \(size)")
                #expect(proof == (try MerkleTree.inclusionProof(index: leaf, size: size, source: memory)), "leaf \(leaf) of \(size)")
            }
        }
        await ledger.stop()
    }

    @Test("consistency proofs and both roots, from several older sizes to every size", arguments: LedgerEngine.allCases)
    func consistency(engine: LedgerEngine) async throws {
        let (ledger, leaves) = try await filled(engine)
        let memory = InMemorySubtrees(leaves: leaves)
        for size in Self.sizes {
            for old in Set([1, size / 2, size - 1, size]) where old >= 1 {
                let (proof, fromRoot, toRoot) = try await ledger.reader.consistencyProof(from: old, to: size)
                #expect(fromRoot == (try MerkleTree.rootOfRange(0, old, source: memory)), "\(old) to \(size)")
                #expect(toRoot == (try MerkleTree.rootOfRange(0, size, source: memory)), "\(old) to \(size)")
                #expect(proof == (try MerkleTree.consistencyProof(old: old, new: size, source: memory)), "\(old) to \(size)")
            }
        }
        await ledger.stop()
    }

    @Test("a size beyond the log, a leaf outside its tree and a reversed range are refused, each by name", arguments: LedgerEngine.allCases)
    func outOfRange(engine: LedgerEngine) async throws {
        let ledger = try await engine.make()
        _ = try await ledger.store.append(try await ledger.fixture.proposal(ledger.store, LedgerFixture.txs(4)))
        await #expect(throws: LedgerError.outOfRange("tree size 5 is beyond the log size 4")) {
            _ = try await ledger.reader.inclusionProof(leaf: 0, size: 5)
        }
        await #expect(throws: LedgerError.outOfRange("leaf 3 is not in a tree of 3 leaves")) {
            _ = try await ledger.reader.inclusionProof(leaf: 3, size: 3)
        }
        await #expect(throws: LedgerError.outOfRange("from 3 is larger than to 2")) { _ = try await ledger.reader.consistencyProof(from: 3, to: 2) }
        await #expect(throws: LedgerError.outOfRange("tree size 5 is beyond the log size 4")) {
            _ = try await ledger.reader.consistencyProof(from: 1, to: 5)
        }
        await ledger.stop()
    }
}
