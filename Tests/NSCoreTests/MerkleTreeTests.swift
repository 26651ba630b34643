import NSCore
import Testing

@Suite("RFC 6962 Merkle tree")
struct MerkleTreeTests {
    /// The eight test inputs used by Certificate Transparency implementations.
    static let inputs: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ]
    /// Their known roots for tree sizes 1 to 8.
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    static let leaves = inputs.map { MerkleTree.leafHash($0) }

    static func leaves(_ count: Int) -> [MerkleHash] {
        (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
    }

    @Test("known roots for every size 1 to 8, in memory, from stored subtrees and from a compact range")
    func knownRoots() throws {
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var range = CompactRange()
        for size in 1...8 {
            let prefix = Array(Self.leaves.prefix(size))
            #expect(MerkleTree.root(leaves: prefix).hex == Self.roots[size - 1], "size \(size)")
            #expect(try MerkleTree.rootOfRange(0, UInt64(size), source: InMemorySubtrees(leaves: Self.leaves)).hex == Self.roots[size - 1])
            range.append(Self.leaves[size - 1])
            #expect(range.root.hex == Self.roots[size - 1])
            #expect(try CompactRange(size: UInt64(size), source: InMemorySubtrees(leaves: Self.leaves)) == range)
        }
    }

    @Test("known inclusion and consistency proofs")
    func knownProofs() throws {
        let source = InMemorySubtrees(leaves: Self.leaves)
        #expect(try MerkleTree.inclusionProof(index: 5, size: 8, source: source).map(\.hex) == [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        #expect(try MerkleTree.consistencyProof(old: 3, new: 8, source: source).map(\.hex) == [
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ])
    }

    @Test("every inclusion proof up to 64 leaves verifies, and a wrong leaf, index or root does not")
    func allInclusionProofs() throws {
        let leaves = Self.leaves(64)
        let source = InMemorySubtrees(leaves: leaves)
        for size in 1...64 {
            let root = MerkleTree.root(leaves: Array(leaves.prefix(size)))
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: UInt64(index), size: UInt64(size), source: source)
                #expect(MerkleVerifier.verifyInclusion(leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: proof, root: root))
                let other = leaves[(index + 1) % 64]
                #expect(!MerkleVerifier.verifyInclusion(leaf: other, index: UInt64(index), size: UInt64(size), proof: proof, root: root))
                if size > 1 {
                    #expect(!MerkleVerifier.verifyInclusion(leaf: leaves[index], index: UInt64((index + 1) % size), size: UInt64(size), proof: proof, root: root))
                    #expect(!MerkleVerifier.verifyInclusion(leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: Array(proof.dropLast()), root: root))
                }
                #expect(!MerkleVerifier.verifyInclusion(leaf: leaves[index], index: UInt64(index), size: UInt64(size), proof: proof, root: MerkleTree.emptyRoot))
            }
        }
    }

    @Test("every consistency proof between sizes up to 64 verifies, and a tampered one does not")
    func allConsistencyProofs() throws {
        let leaves = Self.leaves(64)
        let source = InMemorySubtrees(leaves: leaves)
        let roots = (0...64).map { MerkleTree.root(leaves: Array(leaves.prefix($0))) }
        for new in 1...64 {
            for old in 1...new {
                let proof = try MerkleTree.consistencyProof(old: UInt64(old), new: UInt64(new), source: source)
                #expect(MerkleVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: roots[old], newRoot: roots[new], proof: proof),
                        "\(old) -> \(new)")
                if old < new {
                    #expect(!MerkleVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: roots[old - 1 == 0 ? new : old - 1],
                                                              newRoot: roots[new], proof: proof))
                    var tampered = proof
                    tampered[tampered.count - 1] = MerkleTree.emptyRoot
                    #expect(!MerkleVerifier.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(new), oldRoot: roots[old], newRoot: roots[new], proof: tampered))
                }
            }
        }
    }

    @Test("from size 0 only the empty tree's root with an empty proof is consistent (a size-0 note naming another root never was a tree)")
    func consistencyFromEmpty() {
        let root = MerkleTree.root(leaves: Array(Self.leaves(5)))
        #expect(MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: MerkleTree.emptyRoot, newRoot: root, proof: []))
        #expect(!MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: root, newRoot: root, proof: []))
        #expect(!MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: MerkleTree.emptyRoot, newRoot: root, proof: [root]))
    }

    @Test("a compact range reports exactly the complete subtrees it creates")
    func compactRangeNodes() throws {
        var range = CompactRange()
        let leaves = Self.leaves(13)
        var stored: [String: MerkleHash] = [:]
        for leaf in leaves {
            for node in range.append(leaf) { stored["\(node.level)/\(node.index)"] = node.hash }
        }
        // 13 leaves: 6 nodes at level 1, 3 at level 2, 1 at level 3.
        #expect(stored.count == 10)
        #expect(stored["3/0"] == MerkleTree.root(leaves: Array(leaves.prefix(8))))
        #expect(stored["2/2"] == MerkleTree.root(leaves: Array(leaves[8..<12])))
        #expect(range.root == MerkleTree.root(leaves: leaves))
    }
}
