import NSCore
import NSLedger
import Testing

/// A proof over prefetched nodes asks its source once, for the nodes it reads, and gets the
/// in-memory tree's answer; a node the fetch leaves out fails loudly.
@Suite("tree computations over nodes fetched in one batch")
struct PrefetchedSubtreesTests {
    let memory = InMemorySubtrees(leaves: (0..<37).map { MerkleHash.sha256(Array("leaf \($0)".utf8)) })

    @Test("one fetch answers an inclusion proof and its root, equal to the in-memory tree's")
    func oneFetch() async throws {
        var fetches = 0
        let (proof, root) = try await PrefetchedSubtrees.compute({ source in
            (try MerkleTree.inclusionProof(index: 21, size: 37, source: source), try MerkleTree.rootOfRange(0, 37, source: source))
        }, fetch: { coordinates in
            fetches += 1
            var nodes: [PrefetchedSubtrees.Coordinate: MerkleHash] = [:]
            for node in coordinates { nodes[node] = try memory.subtreeHash(level: node.level, index: node.index) }
            return nodes
        })
        #expect(fetches == 1)
        #expect(proof == (try MerkleTree.inclusionProof(index: 21, size: 37, source: memory)))
        #expect(root == (try MerkleTree.rootOfRange(0, 37, source: memory)))
    }

    @Test("a node the fetch leaves out is a storage failure naming it")
    func missingNode() async throws {
        do {
            _ = try await PrefetchedSubtrees.compute({ source in try MerkleTree.rootOfRange(0, 37, source: source) }, fetch: { _ in [:] })
            Issue.record("a computation over no nodes succeeded")
        } catch let error as LedgerError {
            guard case .storage(let detail) = error else { throw error }
            #expect(detail.hasPrefix("tree node (") && detail.hasSuffix(") is missing"))
        }
    }
}
