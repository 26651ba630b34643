import Crypto
import Foundation

/// RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
///
/// Leaves hash as `SHA-256(0x00 || bytes)`, interior nodes as `SHA-256(0x01 || left || right)`,
/// the empty tree as `SHA-256("")`. Proof generation reads only complete, aligned subtrees
/// through a ``SubtreeHashSource``, so a store that keeps those hashes answers any proof with
/// O(log n) reads instead of rebuilding the tree.
public enum MerkleTree {
    private static let leafPrefix: [UInt8] = [0x00]
    private static let nodePrefix: [UInt8] = [0x01]

    // Both hash their parts in sequence rather than concatenating them first: no copy of the
    // input, which for a leaf is a whole transaction.
    public static func leafHash(_ bytes: some DataProtocol) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: leafPrefix)
        hasher.update(data: bytes)
        return MerkleHash(hasher.finalize())
    }

    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: nodePrefix)
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return MerkleHash(hasher.finalize())
    }

    public static let emptyRoot = MerkleHash.sha256([UInt8]())

    /// The root over `leaves` (already leaf-hashed), computed in memory.
    public static func root(leaves: [MerkleHash]) -> MerkleHash {
        guard !leaves.isEmpty else { return emptyRoot }
        var level = leaves
        while level.count > 1 {
            var next: [MerkleHash] = []
            next.reserveCapacity((level.count + 1) / 2)
            var index = 0
            while index + 1 < level.count {
                next.append(nodeHash(level[index], level[index + 1]))
                index += 2
            }
            // An odd node is promoted unchanged, which gives the same root as RFC 6962's
            // left-heavy split.
            if index < level.count { next.append(level[index]) }
            level = next
        }
        return level[0]
    }

    /// The largest power of two strictly less than `n` (`n` ≥ 2).
    static func splitPoint(_ n: UInt64) -> UInt64 {
        var k: UInt64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH(D[start:end]) from stored complete subtrees.
    public static func rootOfRange(_ start: UInt64, _ end: UInt64, source: some SubtreeHashSource) throws -> MerkleHash {
        let size = end - start
        if size == 0 { return emptyRoot }
        if size & (size - 1) == 0, start % size == 0 {
            return try source.subtreeHash(level: size.trailingZeroBitCount, index: start >> UInt64(size.trailingZeroBitCount))
        }
        let k = splitPoint(size)
        return nodeHash(try rootOfRange(start, start + k, source: source), try rootOfRange(start + k, end, source: source))
    }

    /// The audit path for leaf `index` in the tree of the first `size` leaves (RFC 9162 2.1.3.1).
    public static func inclusionProof(index: UInt64, size: UInt64, source: some SubtreeHashSource) throws -> [MerkleHash] {
        precondition(index < size, "leaf index must be below the tree size")
        var path: [MerkleHash] = []
        var start: UInt64 = 0
        var end = size
        // Walk down from the root, collecting siblings; they are appended leaf-first at the end.
        var siblings: [MerkleHash] = []
        while end - start > 1 {
            let k = splitPoint(end - start)
            if index < start + k {
                siblings.append(try rootOfRange(start + k, end, source: source))
                end = start + k
            } else {
                siblings.append(try rootOfRange(start, start + k, source: source))
                start += k
            }
        }
        path = siblings.reversed()
        return path
    }

    /// The consistency proof between the trees of the first `old` and `new` leaves (RFC 9162 2.1.4.1).
    public static func consistencyProof(old: UInt64, new: UInt64, source: some SubtreeHashSource) throws -> [MerkleHash] {
        precondition(old <= new, "the old size cannot exceed the new one")
        guard old > 0, old < new else { return [] }
        var proof: [MerkleHash] = []
        try subproof(old, start: 0, end: new, complete: true, source: source, into: &proof)
        return proof
    }

    private static func subproof(_ m: UInt64, start: UInt64, end: UInt64, complete: Bool, source: some SubtreeHashSource,
                                 into proof: inout [MerkleHash]) throws {
        let size = end - start
        if m == size {
            if !complete { proof.append(try rootOfRange(start, end, source: source)) }
            return
        }
        let k = splitPoint(size)
        if m <= k {
            try subproof(m, start: start, end: start + k, complete: complete, source: source, into: &proof)
            proof.append(try rootOfRange(start + k, end, source: source))
        } else {
            try subproof(m - k, start: start + k, end: end, complete: false, source: source, into: &proof)
            proof.append(try rootOfRange(start, start + k, source: source))
        }
    }
}

/// Hashes of complete subtrees: the node at `level` and `index` covers leaves
/// `[index · 2^level, (index + 1) · 2^level)`; level 0 is the leaf hashes.
public protocol SubtreeHashSource {
    func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash
}

/// A ``SubtreeHashSource`` over leaf hashes held in memory, for small trees and tests.
public struct InMemorySubtrees: SubtreeHashSource {
    public let leaves: [MerkleHash]

    public init(leaves: [MerkleHash]) {
        self.leaves = leaves
    }

    public func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
        let start = Int(index) << level
        return MerkleTree.root(leaves: Array(leaves[start..<start + (1 << level)]))
    }
}
