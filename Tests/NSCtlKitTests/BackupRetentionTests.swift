import Foundation
@testable import NSCtlKit
import Testing

/// Which backups `nsctl backup prune --keep-last N --keep-daily D` keeps and deletes, per volume,
/// on backup names made at fixed instants (the fake clock), and how names are read from a folder.
@Suite("backup prune selection")
struct BackupRetentionTests {
    /// 2026-11-22T00:00:00Z.
    static let day0 = Date(timeIntervalSince1970: 1_795_305_600)

    /// The backup of `volume` taken `hours` after ``day0``, as prune finds it in the folder.
    static func backup(_ volume: String, hours: Double) throws -> BackupName {
        try backup(volume, seconds: Int(hours * 3600))
    }

    static func backup(_ volume: String, seconds: Int) throws -> BackupName {
        let stamp = BackupName.format(day0.addingTimeInterval(TimeInterval(seconds)))
        return try #require(BackupName(fileName: "\(volume)-\(stamp).tar.gz"))
    }

    static func files(_ names: [BackupName]) -> [String] { names.map(\.fileName) }

    @Test("--keep-last N keeps the N newest and deletes the rest, each list oldest first")
    func keepLast() throws {
        let backups = try [0, 6, 12, 18, 24].map { try Self.backup("ns-node-data", hours: $0) }
        let plan = BackupRetention(keepLast: 2, keepDaily: 0).plan(backups.shuffled())
        #expect(plan.keep == [backups[3], backups[4]])
        #expect(plan.delete == [backups[0], backups[1], backups[2]])
    }

    @Test("fewer backups than --keep-last: nothing is deleted")
    func fewerThanKeepLast() throws {
        let backups = try [0, 30].map { try Self.backup("vp-node-data", hours: $0) }
        let plan = BackupRetention(keepLast: 5, keepDaily: 0).plan(backups)
        #expect(plan.keep == backups)
        #expect(plan.delete.isEmpty)
    }

    @Test("--keep-daily D also keeps the newest backup of each of the D most recent days that have one")
    func keepDaily() throws {
        // Three backups a day on days 0, 1, 2 and 4 (none on day 3).
        let backups = try [0, 1, 2, 4].flatMap { day in try [2.0, 10, 20].map { try Self.backup("admin-node-data", hours: Double(day) * 24 + $0) } }
        let plan = BackupRetention(keepLast: 1, keepDaily: 3).plan(backups)
        // Day 4's newest (also the newest overall), then days 2 and 1: day 3 has none, so it does not count.
        #expect(Self.files(plan.keep) == Self.files([backups[5], backups[8], backups[11]]))
        #expect(plan.delete.count == backups.count - 3)
        #expect(!plan.delete.contains(backups[11]))
        #expect(plan.delete.contains(backups[2]), "day 0 is beyond the three most recent days with a backup")
    }

    @Test("--keep-last and --keep-daily overlap: a backup kept by both is kept once")
    func overlappingRules() throws {
        let backups = try [1.0, 5, 30, 31].map { try Self.backup("ns-node-data", hours: $0) }
        let plan = BackupRetention(keepLast: 2, keepDaily: 2).plan(backups)
        // keep-last: 30 h and 31 h; keep-daily: 31 h (day 1) and 5 h (day 0).
        #expect(plan.keep == [backups[1], backups[2], backups[3]])
        #expect(plan.delete == [backups[0]])
    }

    @Test("days are UTC days: 23:59:59 and the next 00:00:00 are two days")
    func utcDayBoundary() throws {
        let late = try Self.backup("ns-node-data", seconds: 86_399)
        let midnight = try Self.backup("ns-node-data", hours: 24)
        let earlier = try Self.backup("ns-node-data", hours: 12)
        #expect(late.day == "20261122")
        #expect(midnight.day == "20261123")
        let plan = BackupRetention(keepLast: 1, keepDaily: 2).plan([earlier, late, midnight])
        #expect(plan.keep == [late, midnight])
        #expect(plan.delete == [earlier])
    }

    @Test("each volume is pruned on its own: an old lone backup of one volume survives many newer ones of another")
    func perVolume() throws {
        let lone = try Self.backup("redis-data", hours: 0)
        let many = try (1...6).map { try Self.backup("ns-node-data", hours: Double($0) * 48) }
        let plan = BackupRetention(keepLast: 2, keepDaily: 0).plan(many + [lone])
        #expect(plan.keep.contains(lone))
        #expect(Set(plan.keep) == Set([lone, many[4], many[5]]))
        #expect(Set(plan.delete) == Set(many[0...3]))
    }

    @Test("for any backups and any --keep-last ≥ 1: every backup is kept or deleted, never both, and each volume keeps its newest")
    func neverDeletesEverything() throws {
        var generator = SystemRandomNumberGenerator()
        let volumes = ["ns-node-data", "vp-node-data", "admin-node-data", "redis-data"]
        for _ in 0..<200 {
            let backups = try Set((0..<Int.random(in: 0...20, using: &generator)).map { _ in
                try Self.backup(volumes.randomElement(using: &generator) ?? "ns-node-data", hours: Double(Int.random(in: 0...400, using: &generator)))
            })
            let plan = BackupRetention(keepLast: Int.random(in: 1...4, using: &generator), keepDaily: Int.random(in: 0...5, using: &generator))
                .plan(Array(backups))
            #expect(Set(plan.keep).isDisjoint(with: plan.delete))
            #expect(Set(plan.keep).union(plan.delete) == backups)
            #expect(plan.keep.count + plan.delete.count == backups.count)
            for volume in Set(backups.map(\.volume)) {
                let newest = backups.filter { $0.volume == volume }.max { $0.timestamp < $1.timestamp }
                #expect(newest.map { plan.keep.contains($0) } == true)
            }
        }
    }

    @Test("backup file names: VOLUME-<UTC stamp>.tar.gz is read back; anything else in the folder is not a backup")
    func names() throws {
        let name = BackupName(volume: try #require(BackupVolume(argument: "vp-node-data")), at: Self.day0.addingTimeInterval(3723))
        #expect(name.fileName == "vp-node-data-20261122T010203Z.tar.gz")
        #expect(BackupName(fileName: name.fileName) == name)
        #expect(name.date == Self.day0.addingTimeInterval(3723))
        for other in ["vp-node-data-20261122T010203Z.tar", "notes.txt", "cache-data-20261122T010203Z.tar.gz",
                      "vp-node-data-2026-11-22.tar.gz", "vp-node-data-20261399T010203Z.tar.gz", ".vp-node-data-20261122T010203Z.tar.gz.partial"] {
            #expect(BackupName(fileName: other) == nil, "\(other)")
        }
    }
}
