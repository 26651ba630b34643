import NSCore

/// A log the bench plays towards the witness: its signing key, and add-checkpoint bodies for a
/// tree growing `step` leaves at a time, each with a real consistency proof from the size before,
/// all built before any is sent so the client's work stays out of the timing.
struct WitnessLog: Sendable {
    let key: LedgerKey
    /// `requests[i]` moves the witness from size `i · step` to `(i + 1) · step` (the first from 0, without proof).
    let requests: [AddCheckpointRequest]

    var origin: String { key.name }

    init(origin: String, requests count: Int, step: Int) {
        key = LedgerKey(generatingNamed: origin)
        let leaves = (0..<count * step).map { MerkleTree.leafHash(Array("\(origin) leaf \($0)".utf8)) }
        let tree = LeveledTree(leaves: leaves)
        var requests: [AddCheckpointRequest] = []
        requests.reserveCapacity(count)
        for index in 0..<count {
            let old = UInt64(index * step)
            let new = old + UInt64(step)
            // Both sizes are within the tree: the source has every complete subtree they need.
            let root = try! MerkleTree.rootOfRange(0, new, source: tree)
            let proof = try! MerkleTree.consistencyProof(old: old, new: new, source: tree)
            let note = Checkpoint(origin: origin, size: new, root: root).signed(with: key)
            requests.append(AddCheckpointRequest(oldSize: old, proof: proof, note: note))
        }
        self.requests = requests
    }
}

/// Every complete subtree's hash of a tree held in memory, level by level, so a proof reads
/// O(log n) stored hashes (`InMemorySubtrees` rehashes its leaves for each subtree instead).
struct LeveledTree: SubtreeHashSource {
    private let levels: [[MerkleHash]]

    init(leaves: [MerkleHash]) {
        var levels = [leaves]
        while let below = levels.last, below.count > 1 {
            levels.append(stride(from: 0, to: below.count - 1, by: 2).map { MerkleTree.nodeHash(below[$0], below[$0 + 1]) })
        }
        self.levels = levels
    }

    func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
        guard level < levels.count, index < UInt64(levels[level].count) else {
            throw BenchError("no complete subtree at level \(level), index \(index) in a tree of \(levels[0].count) leaves")
        }
        return levels[level][Int(index)]
    }
}
