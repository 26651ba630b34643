import NSCore

/// Tree computations over stored nodes fetched in one batch instead of one read per node, for
/// engines where each read is a round trip to a server.
///
/// The nodes `MerkleTree`'s proofs, `rootOfRange` and `CompactRange(size:source:)` ask for depend
/// only on the indexes, never on the hashes. So a first pass over a recording source collects the
/// coordinates, the caller's `fetch` reads them all at once, and the second pass runs over what
/// came back: a proof costs one round trip rather than about forty.
public enum PrefetchedSubtrees {
    /// A node of the log tree: `level` 0 is a leaf, `index` counts from the left at that level.
    public struct Coordinate: Hashable, Sendable {
        public let level: Int
        public let index: UInt64

        public init(level: Int, index: UInt64) {
            self.level = level
            self.index = index
        }
    }

    /// Runs `compute` twice: once to learn which nodes it needs, then over the nodes `fetch`
    /// returns for them. A node `fetch` leaves out is a ``LedgerError/storage(_:)`` failure of
    /// the second pass. `compute` must ask for nodes by index alone (every `MerkleTree` and
    /// `CompactRange` computation does).
    public static func compute<Result>(_ compute: (any SubtreeHashSource) throws -> Result,
                                       fetch: (Set<Coordinate>) async throws -> [Coordinate: MerkleHash]) async throws -> Result {
        let recorder = Recorder()
        _ = try compute(recorder)
        let fetched = recorder.asked.isEmpty ? [:] : try await fetch(recorder.asked)
        return try compute(Fetched(nodes: fetched))
    }

    /// Answers every node with a placeholder and remembers which were asked for.
    private final class Recorder: SubtreeHashSource {
        var asked: Set<Coordinate> = []

        func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
            asked.insert(Coordinate(level: level, index: index))
            return MerkleHash(Array(repeating: 0, count: 32))
        }
    }

    private struct Fetched: SubtreeHashSource {
        let nodes: [Coordinate: MerkleHash]

        func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
            guard let hash = nodes[Coordinate(level: level, index: index)] else {
                throw LedgerError.storage("tree node (\(level), \(index)) is missing")
            }
            return hash
        }
    }
}
