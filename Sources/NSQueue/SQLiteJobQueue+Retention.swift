import Foundation
import GRDB

extension SQLiteJobQueue {
    public func deleteFinished(limit: Int) async throws(JobQueueError) -> Int {
        guard limit > 0 else { return 0 }
        let cutoff = clock.nowMs() - defaults.retentionMs
        // The subquery walks `jobs_finished` (its WHERE repeats the index's, which is what lets
        // SQLite use a partial index) from the oldest finish time, and stops at `limit`.
        let deleted = try await write { db in
            try db.execute(sql: """
                DELETE FROM jobs WHERE seq IN (
                    SELECT seq FROM jobs WHERE state IN ('completed', 'cancelled') AND updated_at <= ? ORDER BY updated_at LIMIT ?)
                """, arguments: [cutoff, limit])
            return db.changesCount
        }
        metrics?.retentionDeleted(deleted)
        return deleted
    }

    /// A write transaction (with its fsync), then the free space: in WAL mode a small write can
    /// still succeed on a full disk by reusing WAL pages, while the next batch of enqueues,
    /// which must grow the WAL, fails. Less than ``minimumFreeBytes`` free counts as full.
    public func checkStore() async throws(JobQueueError) -> QueueStoreUsage {
        let now = clock.nowMs()
        _ = try await write { db in
            try db.execute(sql: "INSERT INTO queue_settings (key, value) VALUES ('store_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [String(now)])
        }
        let usage = try storeUsageNow()
        if let limit = usage.limitBytes, limit - usage.usedBytes < Self.minimumFreeBytes {
            throw .unavailable("the disk holding \(pool.path) is full: \((limit - usage.usedBytes) >> 20) MiB free, "
                               + "\(Self.minimumFreeBytes >> 20) MiB needed; free space or move the data directory")
        }
        return usage
    }

    public func storeUsage() async throws(JobQueueError) -> QueueStoreUsage {
        try storeUsageNow()
    }

    /// Room a group commit of large jobs may need in the WAL before the next checkpoint frees it.
    public static let minimumFreeBytes: Int64 = 16 << 20

    /// The database and WAL file sizes, and the space free for them (statvfs of the folder),
    /// read synchronously for a metrics scrape.
    public func storeUsageNow() throws(JobQueueError) -> QueueStoreUsage {
        let path = pool.path
        var used: Int64 = 0
        for file in [path, path + "-wal"] {
            var info = stat()
            if stat(file, &info) == 0 { used += Int64(info.st_size) }
        }
        var volume = statvfs()
        let folder = (path as NSString).deletingLastPathComponent
        guard statvfs(folder.isEmpty ? "." : folder, &volume) == 0 else {
            throw .unavailable("the file system holding \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
        let free = Int64(volume.f_bavail) * Int64(volume.f_frsize)
        return QueueStoreUsage(usedBytes: used, limitBytes: used + free)
    }
}
