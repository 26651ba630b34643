/// Which backups `nsctl backup prune` keeps, per volume: the `keepLast` newest, plus the newest
/// of each of the `keepDaily` most recent UTC days that have a backup. Everything else goes.
struct BackupRetention: Sendable {
    let keepLast: Int
    let keepDaily: Int

    struct Plan: Equatable {
        var keep: [BackupName] = []
        var delete: [BackupName] = []
    }

    func plan(_ backups: [BackupName]) -> Plan {
        var plan = Plan()
        for volume in BackupVolume.allCases {
            let newestFirst = backups.filter { $0.volume == volume }.sorted { $0.timestamp > $1.timestamp }
            var kept = Set(newestFirst.prefix(keepLast))
            var days: [Substring] = []
            for backup in newestFirst where !days.contains(backup.day) {
                guard days.count < keepDaily else { break }
                days.append(backup.day)
                kept.insert(backup)  // the first seen of a day is that day's newest
            }
            for backup in newestFirst.reversed() {
                if kept.contains(backup) { plan.keep.append(backup) } else { plan.delete.append(backup) }
            }
        }
        return plan
    }
}
