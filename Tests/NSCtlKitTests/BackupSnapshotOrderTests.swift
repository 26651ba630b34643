@testable import NSCtlKit
import Testing

/// The order one `nsctl backup` run snapshots its volumes in, which makes volumes restored
/// together consistent: the queue before the ledger (every job the queue calls completed then has
/// its transaction in the later ledger snapshot), the ledger before admin-node's trail.
@Suite("backup snapshot order")
struct BackupSnapshotOrderTests {
    /// Every ordering of `items`.
    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard let first = items.first else { return [[]] }
        return permutations(Array(items.dropFirst())).flatMap { rest in
            (0...rest.count).map { position in
                var ordering = rest
                ordering.insert(first, at: position)
                return ordering
            }
        }
    }

    /// 0 for the queue volumes, 1 for the ledger, 2 for admin-node's: the order the rule demands.
    static func rank(_ name: String) -> Int {
        switch name {
        case "redis-data", "vp-node-data": 0
        case "ns-node-data": 1
        case "admin-node-data": 2
        default: Int.max
        }
    }

    @Test("any set of volumes, named in any order, is snapshotted queue first (redis-data, vp-node-data), then ns-node-data, then admin-node-data")
    func queueThenLedgerThenAdmin() throws {
        let names = ["admin-node-data", "ns-node-data", "vp-node-data", "redis-data"]
        var checked = 0
        for subset in 1..<(1 << names.count) {
            let chosen = names.indices.filter { subset & (1 << $0) != 0 }.map { names[$0] }
            for named in Self.permutations(chosen) {
                let volumes = try named.map { try #require(BackupVolume(argument: $0), "\($0) is a volume") }
                let order = BackupVolume.inSnapshotOrder(volumes).map(\.rawValue)
                #expect(order.sorted() == named.sorted(), "every named volume once: \(named) → \(order)")
                #expect(order.map(Self.rank) == order.map(Self.rank).sorted(), "\(named) → \(order)")
                checked += 1
            }
        }
        #expect(checked == 64)
        let all = BackupVolume.inSnapshotOrder(try names.map { try #require(BackupVolume(argument: $0)) }).map(\.rawValue)
        #expect(all == ["redis-data", "vp-node-data", "ns-node-data", "admin-node-data"])
    }
}
