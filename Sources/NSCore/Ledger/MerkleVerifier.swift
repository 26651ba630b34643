/// Verification of RFC 9162 proofs, written from the RFC's algorithms (sections 2.1.3.2 and
/// 2.1.4.2) independently of proof generation, so each checks the other.
public enum MerkleVerifier {
    /// Whether `proof` shows that `leaf` (already leaf-hashed) is at `index` in the tree of
    /// `size` leaves whose root is `root`.
    public static func verifyInclusion(leaf: MerkleHash, index: UInt64, size: UInt64, proof: [MerkleHash], root: MerkleHash) -> Bool {
        guard index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = MerkleTree.nodeHash(p, r)
                if fn & 1 == 0 { skipRightEdge(&fn, &sn) }
            } else {
                r = MerkleTree.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows the tree of `newSize` leaves (root `newRoot`) extends the tree of
    /// `oldSize` leaves (root `oldRoot`).
    public static func verifyConsistency(oldSize: UInt64, newSize: UInt64, oldRoot: MerkleHash, newRoot: MerkleHash,
                                         proof: [MerkleHash]) -> Bool {
        guard oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        // The empty tree has one root (RFC 9162, 2.1.1); a size-0 checkpoint naming another was never a tree.
        if oldSize == 0 { return proof.isEmpty && oldRoot == MerkleTree.emptyRoot }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleTree.nodeHash(c, fr)
                sr = MerkleTree.nodeHash(c, sr)
                if fn & 1 == 0 { skipRightEdge(&fn, &sn) }
            } else {
                sr = MerkleTree.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }

    /// RFC 9162's "right-shift fn and sn until LSB(fn) is set or fn is 0", shared by both
    /// verification algorithms.
    private static func skipRightEdge(_ fn: inout UInt64, _ sn: inout UInt64) {
        repeat {
            fn >>= 1
            sn >>= 1
        } while fn & 1 == 0 && fn != 0
    }
}
