/// The right edge of an append-only RFC 6962 tree: the roots of the maximal complete subtrees
/// covering leaves `[0, size)`, one per set bit of `size`, largest first.
///
/// Appending a leaf merges equal-sized neighbours and reports each new complete subtree, which
/// is exactly what a store needs to persist to answer proofs later. The tree root is the
/// right-to-left fold of the range.
public struct CompactRange: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public let level: Int
        public let index: UInt64
        public let hash: MerkleHash

        public init(level: Int, index: UInt64, hash: MerkleHash) {
            self.level = level
            self.index = index
            self.hash = hash
        }
    }

    public private(set) var size: UInt64
    public private(set) var nodes: [Node]

    public init() {
        size = 0
        nodes = []
    }

    /// A range received from elsewhere (ns-node's `/v1/log/frontier`); `nil` unless `nodes` are
    /// exactly the subtrees a tree of `size` leaves has on its right edge.
    public init?(size: UInt64, nodes: [Node]) {
        var start: UInt64 = 0
        var expected: [(Int, UInt64)] = []
        for level in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            expected.append((level, start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        guard expected.count == nodes.count, zip(expected, nodes).allSatisfy({ $0.0 == $1.level && $0.1 == $1.index }) else { return nil }
        self.size = size
        self.nodes = nodes
    }

    /// Rebuilds the range of a tree of `size` leaves from its stored complete subtrees.
    public init(size: UInt64, source: some SubtreeHashSource) throws {
        self.size = size
        nodes = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            nodes.append(Node(level: level, index: start >> UInt64(level), hash: try source.subtreeHash(level: level, index: start >> UInt64(level))))
            start += 1 << UInt64(level)
        }
    }

    /// Appends one leaf hash and returns the new complete subtrees above level 0, lowest first.
    @discardableResult
    public mutating func append(_ leaf: MerkleHash) -> [Node] {
        var created: [Node] = []
        var node = Node(level: 0, index: size, hash: leaf)
        while let last = nodes.last, last.level == node.level {
            nodes.removeLast()
            node = Node(level: node.level + 1, index: last.index >> 1, hash: MerkleTree.nodeHash(last.hash, node.hash))
            created.append(node)
        }
        nodes.append(node)
        size += 1
        return created
    }

    public var root: MerkleHash {
        guard var result = nodes.last?.hash else { return MerkleTree.emptyRoot }
        for node in nodes.dropLast().reversed() { result = MerkleTree.nodeHash(node.hash, result) }
        return result
    }
}
