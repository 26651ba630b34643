import ArgumentParser
import Foundation
import NSCore

/// A volume `nsctl backup` can snapshot: the seeds' compose volume names, which are also the
/// folder names under `nsd --data-dir`.
enum BackupVolume: CaseIterable, Sendable, RawRepresentable, ExpressibleByArgument {
    case nsNode
    case vpNode
    case adminNode
    case redis

    /// The volume's name (``DataLayout``).
    var rawValue: String {
        switch self {
        case .nsNode: DataLayout.nsNodeFolder
        case .vpNode: DataLayout.vpNodeFolder
        case .adminNode: DataLayout.adminNodeFolder
        case .redis: DataLayout.redisVolume
        }
    }

    init?(rawValue: String) {
        guard let volume = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = volume
    }

    /// Who keeps the volume open while it runs, as operators know them.
    var owner: String {
        switch self {
        case .nsNode: "ns-node"
        case .vpNode: "vp-node (and a gateway using the embedded queue)"
        case .adminNode: "admin-node"
        case .redis: "redis-server"
        }
    }

    /// The SQLite file of the volume whose contents `DATABASE_URL` moves into PostgreSQL (the
    /// ledger, admin-node's trail and sessions): a backup of that PostgreSQL state is archived as
    /// this file, so it verifies and restores as the SQLite node's. `nil` for volumes that stay files.
    var postgresFile: String? {
        switch self {
        case .nsNode: DataLayout.ledgerDatabaseFile
        case .adminNode: DataLayout.adminDatabaseFile
        case .vpNode, .redis: nil
        }
    }

    /// The order in which one `nsctl backup` run snapshots its volumes, whatever order they are
    /// named in: a store is snapshotted before any store whose contents it vouches for, so
    /// that what the earlier snapshot points to is already in the later one.
    ///
    /// - The queue (`redis-data`, `vp-node-data`) before the ledger: a job completes only after
    ///   ns-node took its transaction, so every job the queue snapshot calls completed has its
    ///   transaction in the later ledger snapshot. The reverse order lost it: a job completing
    ///   between the two was restored completed with no transaction anywhere. A job completing
    ///   after the queue snapshot is restored unfinished and worked again; ns-node answers it
    ///   with the transaction it holds for that job id, so it is not anchored twice.
    /// - The ledger before `admin-node-data`: a record in the ledger about admin-node's audit
    ///   trail then names entries the later admin snapshot holds.
    static let snapshotOrder: [BackupVolume] = [.redis, .vpNode, .nsNode, .adminNode]

    /// `volumes` in ``snapshotOrder``.
    static func inSnapshotOrder(_ volumes: [BackupVolume]) -> [BackupVolume] {
        snapshotOrder.filter(volumes.contains)
    }

    /// The folder holding the volume under a data directory.
    func folder(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(rawValue)
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    init?(argument: String) { self.init(rawValue: argument) }
}

/// A backup file's name: `VOLUME-<UTC timestamp>.tar.gz`, e.g. `ns-node-data-20261122T160303Z.tar.gz`.
/// The timestamp sorts as text, so name order is time order within one volume.
struct BackupName: Hashable, Sendable, Comparable {
    let volume: BackupVolume
    let timestamp: String

    static let suffix = ".tar.gz"

    init(volume: BackupVolume, at date: Date) {
        self.volume = volume
        timestamp = Self.format(date)
    }

    /// Parses a file name (not a path); `nil` for anything that is not a backup's name.
    init?(fileName: String) {
        guard fileName.hasSuffix(Self.suffix) else { return nil }
        let stem = fileName.dropLast(Self.suffix.count)
        guard let volume = BackupVolume.allCases.first(where: { stem.hasPrefix($0.rawValue + "-") }) else { return nil }
        let stamp = String(stem.dropFirst(volume.rawValue.count + 1))
        guard Self.parse(stamp) != nil else { return nil }
        self.volume = volume
        timestamp = stamp
    }

    var fileName: String { "\(volume.rawValue)-\(timestamp)\(Self.suffix)" }
    var date: Date { Self.parse(timestamp) ?? .distantPast }  // init?(fileName:) and init(volume:at:) only store parseable stamps
    /// The UTC day, `YYYYMMDD`, that `prune --keep-daily` groups by.
    var day: Substring { timestamp.prefix(8) }

    static func < (lhs: BackupName, rhs: BackupName) -> Bool {
        (lhs.volume.rawValue, lhs.timestamp) < (rhs.volume.rawValue, rhs.timestamp)
    }

    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }

    static func format(_ date: Date) -> String { formatter().string(from: date) }

    static func parse(_ stamp: String) -> Date? {
        stamp.count == 16 ? formatter().date(from: stamp) : nil
    }
}
