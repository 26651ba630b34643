import NSCore

/// A log for witness tests, built with the ledger's own key and Merkle code: leaves, signed
/// checkpoints of any prefix, and consistency proofs between prefixes.
struct WitnessedLog: Sendable {
    let key: LedgerKey
    let leaves: [MerkleHash]

    /// `count` leaves; `seed` makes a different log with the same origin (a fork when prefixes differ).
    init(origin: String = "example.com/log", key: LedgerKey? = nil, count: Int = 64, seed: String = "a") {
        self.key = key ?? LedgerKey(generatingNamed: origin)
        leaves = (0..<count).map { MerkleTree.leafHash(Array("\(seed) leaf \($0)".utf8)) }
    }

    func root(_ size: UInt64) -> MerkleHash { MerkleTree.root(leaves: Array(leaves.prefix(Int(size)))) }

    func checkpoint(_ size: UInt64) -> Checkpoint { Checkpoint(origin: key.name, size: size, root: root(size)) }

    func note(_ size: UInt64) -> String { checkpoint(size).signed(with: key) }

    func proof(from old: UInt64, to new: UInt64) throws -> [MerkleHash] {
        old == 0 ? [] : try MerkleTree.consistencyProof(old: old, new: new, source: InMemorySubtrees(leaves: leaves))
    }

    /// The add-checkpoint body growing the witness's view from `old` to `new`.
    func request(from old: UInt64, to new: UInt64) throws -> [UInt8] {
        AddCheckpointRequest(oldSize: old, proof: try proof(from: old, to: new), note: note(new)).encoded
    }
}
