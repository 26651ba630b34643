import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// Tree computations over the stored nodes in one query instead of one per node.
///
/// The nodes `MerkleTree`'s proofs, `rootOfRange` and `CompactRange(size:source:)` ask for depend
/// only on the indexes, never on the hashes. So a first pass over a recording source collects the
/// coordinates, one query fetches them all (leaves from `txs.leaf_hash`, the rest from
/// `tree_nodes`), and the second pass runs over what came back: a proof costs one round trip
/// rather than about forty.
enum PostgresTreeNodes {
    struct Coordinate: Hashable {
        let level: Int
        let index: UInt64
    }

    /// Runs `compute` over the stored nodes it needs.
    static func compute<R>(_ connection: PostgresConnection, logger: Logger,
                           _ compute: (any SubtreeHashSource) throws -> R) async throws -> R {
        let recorder = Recorder()
        _ = try compute(recorder)
        let fetched = try await fetch(recorder.asked, connection, logger: logger)
        return try compute(Fetched(nodes: fetched))
    }

    static func fetch(_ coordinates: Set<Coordinate>, _ connection: PostgresConnection, logger: Logger) async throws -> [Coordinate: MerkleHash] {
        guard !coordinates.isEmpty else { return [:] }
        let leaves = coordinates.filter { $0.level == 0 }.map { Int64($0.index) }
        let inner = coordinates.filter { $0.level > 0 }
        let levels = inner.map { Int16($0.level) }
        let indexes = inner.map { Int64($0.index) }
        let rows = try await connection.query("""
            SELECT 0::int2, leaf_index, leaf_hash FROM ledger.txs WHERE leaf_index = ANY(\(leaves))
            UNION ALL
            SELECT n.level, n.idx, n.hash FROM ledger.tree_nodes n JOIN unnest(\(levels)::int2[], \(indexes)::int8[]) AS u(level, idx)
                ON n.level = u.level AND n.idx = u.idx
            """, logger: logger)
        var nodes: [Coordinate: MerkleHash] = [:]
        for try await (level, index, hash) in rows.decode((Int16, Int64, ByteBuffer).self) {
            nodes[Coordinate(level: Int(level), index: UInt64(index))] = MerkleHash(buffer: hash)
        }
        return nodes
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

extension MerkleHash {
    init(buffer: ByteBuffer) {
        self.init(Array(buffer.readableBytesView))
    }

    /// The bytes to bind as `bytea` (never `[UInt8]`, which binds as an array of "char").
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

extension ByteBuffer {
    var byteArray: [UInt8] { Array(readableBytesView) }
}
