import Foundation
import GRDB
import NSCore

/// The tree a witness last cosigned for one log: its size and root hash. A log it never
/// cosigned is at ``empty`` (size 0, the empty tree's root), as the protocol's `old 0` says.
public struct WitnessedTree: Sendable, Equatable {
    public let size: UInt64
    public let root: MerkleHash

    public init(size: UInt64, root: MerkleHash) {
        self.size = size
        self.root = root
    }

    public static let empty = WitnessedTree(size: 0, root: MerkleTree.emptyRoot)
}

/// The witness's durable state in `witness-node-data/witness.db` (``WitnessSchema``): one row
/// per log origin, so it is bounded by `WITNESS_LOGS`.
///
/// ``advance(origin:decide:)`` reads, decides and writes in one SQLite write transaction, and the
/// database runs with `synchronous=FULL`, so a cosignature is only ever made for a state that is
/// on disk, and two requests for one log can never both advance it from the same size.
public struct WitnessStore: Sendable {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    /// What the witness recorded for `origin`, ``WitnessedTree/empty`` when nothing.
    public func recorded(origin: String) async throws -> WitnessedTree {
        try await pool.read { db in try Self.read(origin, db) ?? .empty }
    }

    /// Runs `decide` on the recorded tree of `origin` and records the tree it returns, in one
    /// transaction committed before this returns. Throws what `decide` throws, having written nothing.
    public func advance(origin: String, decide: @escaping @Sendable (WitnessedTree) throws -> WitnessedTree) async throws -> WitnessedTree {
        try await pool.write { db in
            let stored = try Self.read(origin, db)
            let recorded = stored ?? .empty
            let next = try decide(recorded)
            guard next != recorded else { return next }
            let now = LogTimestamp.now()
            if stored == nil {
                try db.execute(sql: "INSERT INTO witnessed_logs (origin, size, root, updated_at) VALUES (?, ?, ?, ?)",
                               arguments: [origin, Int64(next.size), Data(next.root.bytes), now])
            } else {
                // Compare-and-swap on what was read: the write lock already excludes another
                // writer, so a miss here means the file changed under us and nothing is signed.
                try db.execute(sql: "UPDATE witnessed_logs SET size = ?, root = ?, updated_at = ? WHERE origin = ? AND size = ? AND root = ?",
                               arguments: [Int64(next.size), Data(next.root.bytes), now, origin, Int64(recorded.size), Data(recorded.root.bytes)])
                guard db.changesCount == 1 else { throw WitnessStoreConflict(origin: origin) }
            }
            return next
        }
    }

    private static func read(_ origin: String, _ db: Database) throws -> WitnessedTree? {
        guard let row = try Row.fetchOne(db, sql: "SELECT size, root FROM witnessed_logs WHERE origin = ?", arguments: [origin]) else {
            return nil
        }
        return WitnessedTree(size: UInt64(row["size"] as Int64), root: MerkleHash(Array(row["root"] as Data)))
    }
}

/// The recorded tree changed between the read and the write of one transaction; never expected.
struct WitnessStoreConflict: Error {
    let origin: String
}

/// The witness's table: `witnessed_logs(origin, size, root, updated_at)`, one row per log it has
/// cosigned; `root` is the 32-byte hash, `updated_at` when it last advanced.
public enum WitnessSchema {
    public static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-witness") { db in
            try db.execute(sql: """
                CREATE TABLE witnessed_logs (
                    origin TEXT PRIMARY KEY,
                    size INTEGER NOT NULL CHECK (size >= 0),
                    root BLOB NOT NULL CHECK (length(root) = 32),
                    updated_at TEXT NOT NULL
                )
                """)
        }
    }
}
