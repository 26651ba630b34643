import NSCore
import Testing

/// What a client requires of a checkpoint note before trusting it.
@Suite("checkpoint policy: pinned key, origin, further checks")
struct CheckpointPolicyTests {
    static let key = LedgerKey(generatingNamed: "example.com/log")
    static let checkpoint = Checkpoint(origin: "example.com/log", size: 5, root: MerkleTree.root(leaves: MerkleTreeTests.leaves(5)))

    /// Refuses every checkpoint smaller than `minimum`, as a cosignature check refuses one too few witnesses signed.
    struct AtLeast: CheckpointCheck {
        let minimum: UInt64
        func check(note: String, checkpoint: Checkpoint) throws(CheckpointRefusal) {
            guard checkpoint.size >= minimum else { throw CheckpointRefusal("size \(checkpoint.size) is below \(minimum)") }
        }
    }

    @Test("a note signed by the pinned key for the origin passes; another key, another origin or a further check refuses it")
    func refusals() throws {
        let note = Self.checkpoint.signed(with: Self.key)
        let policy = CheckpointPolicy(origin: "example.com/log", logKey: Self.key.publicKey)
        #expect(try policy.verify(note) == Self.checkpoint)

        let other = LedgerKey(generatingNamed: "example.com/log")
        #expect(throws: CheckpointRefusal("the checkpoint signature does not verify with the pinned key")) {
            try policy.verify(Self.checkpoint.signed(with: other))
        }
        let elsewhere = Checkpoint(origin: "example.org/log", size: 5, root: Self.checkpoint.root).signed(with: Self.key)
        #expect(throws: CheckpointRefusal("the checkpoint is for origin \"example.org/log\", not example.com/log")) { try policy.verify(elsewhere) }
        #expect(throws: CheckpointRefusal("malformed checkpoint: no blank line between body and signatures")) { try policy.verify("example.com/log\n5\n") }
        #expect(throws: CheckpointRefusal("size 5 is below 6")) {
            try CheckpointPolicy(origin: "example.com/log", logKey: Self.key.publicKey, checks: [AtLeast(minimum: 6)]).verify(note)
        }
        #expect(try CheckpointPolicy(origin: "example.com/log", logKey: Self.key.publicKey, checks: [AtLeast(minimum: 5)]).verify(note) == Self.checkpoint)
    }
}
