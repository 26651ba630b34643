import Foundation

/// `manifest.json`, the first member of every backup archive: what the snapshot holds and how to
/// check it. `nsctl backup verify` and `nsctl restore` trust nothing in the archive that this
/// does not describe.
struct BackupManifest: Codable, Sendable, Equatable {
    /// Bumped when the layout changes; verify refuses formats it does not know.
    static let currentFormat = 1
    /// Where the volume's files sit inside the archive, next to `manifest.json`.
    static let dataFolder = "data"
    static let fileName = "manifest.json"

    struct File: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable {
            /// An SQLite database, copied with `VACUUM INTO` and checked with `PRAGMA integrity_check`.
            case sqlite
            /// A Redis RDB snapshot written by `BGSAVE`.
            case redisSnapshot = "redis-rdb"
            /// Any other file (a key file, for instance), copied as is.
            case plain
        }

        /// Relative to the volume folder, `/`-separated, never containing `..`.
        let path: String
        let size: Int64
        let sha256: String
        let kind: Kind
    }

    /// The ledger state the ns-node-data snapshot holds.
    struct Ledger: Codable, Sendable, Equatable {
        let height: UInt64
        let logSize: UInt64
        let logRoot: String
        /// The newest signed checkpoint (C2SP note) stored in the snapshot.
        let checkpoint: String
    }

    let format: Int
    let volume: String
    let createdAt: String
    let tool: String
    let files: [File]
    let ledger: Ledger?

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> BackupManifest {
        try JSONDecoder().decode(BackupManifest.self, from: data)
    }

    var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }
}
