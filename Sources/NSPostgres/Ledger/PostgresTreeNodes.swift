import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The stored nodes a tree computation needs, in one query (``PrefetchedSubtrees``): leaves
/// from `txs.leaf_hash`, the rest from `tree_nodes`.
enum PostgresTreeNodes {
    /// Runs `compute` over the stored nodes it needs, fetched in one round trip.
    static func compute<R>(_ connection: PostgresConnection, logger: Logger,
                           _ compute: (any SubtreeHashSource) throws -> R) async throws -> R {
        try await PrefetchedSubtrees.compute(compute) { coordinates in try await fetch(coordinates, connection, logger: logger) }
    }

    private static func fetch(_ coordinates: Set<PrefetchedSubtrees.Coordinate>, _ connection: PostgresConnection,
                              logger: Logger) async throws -> [PrefetchedSubtrees.Coordinate: MerkleHash] {
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
        var nodes: [PrefetchedSubtrees.Coordinate: MerkleHash] = [:]
        for try await (level, index, hash) in rows.decode((Int16, Int64, ByteBuffer).self) {
            nodes[PrefetchedSubtrees.Coordinate(level: Int(level), index: UInt64(index))] = MerkleHash(buffer: hash)
        }
        return nodes
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
