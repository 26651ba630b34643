import Foundation
import NSRedis

/// Takes a Redis snapshot for the `redis-data` volume: `BGSAVE`, wait until Redis reports that
/// save finished successfully, then copy the RDB file it wrote. Redis writes the RDB to a
/// temporary file and renames it, so the copy is one complete snapshot.
///
/// Needs the RDB file on this machine (Redis on the same host or its volume mounted here). With
/// `REDIS_SENTINELS` the snapshot is the master's, as Sentinel names it when the backup starts.
struct RedisSnapshot {
    let target: RedisTarget
    let progress: BackupProgress
    /// How long a save may take before the backup gives up.
    var deadline: Duration = .seconds(600)

    func capture(into staging: String) async throws -> [BackupManifest.File] {
        let client = RedisClient(configuration: try target.configuration(poolSize: 1, commandTimeout: .seconds(30)))
        let files: [BackupManifest.File]
        do {
            files = try await save(into: staging, client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        return files
    }

    private func save(into staging: String, _ client: RedisClient) async throws -> [BackupManifest.File] {
        do {
            let directory = try await configValue("dir", client)
            let fileName = try await configValue("dbfilename", client)
            let before = try await persistence(client)["rdb_saves"].flatMap { Int($0) } ?? 0
            progress.step("redis-data: BGSAVE")
            try await startSave(client)
            try await waitForSave(after: before, client)
            let source = (directory as NSString).appendingPathComponent(fileName)
            guard FileManager.default.isReadableFile(atPath: source) else {
                throw CommandFailure("Redis saved to \(source), which is not readable here; run nsctl backup on the Redis host or mount its volume")
            }
            let target = (staging as NSString).appendingPathComponent(fileName)
            do {
                try FileManager.default.copyItem(atPath: source, toPath: target)
            } catch {
                throw CommandFailure("cannot copy \(source): \(error.localizedDescription)")
            }
            try BackupFiles.sync(path: target)
            return [.init(path: fileName, size: try BackupFiles.size(path: target), sha256: try BackupFiles.sha256(path: target), kind: .redisSnapshot)]
        } catch let error as RedisError {
            throw CommandFailure("redis-data backup failed: \(error)")
        }
    }

    private func configValue(_ name: String, _ client: RedisClient) async throws -> String {
        let reply = try await client.command(["CONFIG", "GET", RedisArgument(name)]).array ?? []
        guard reply.count == 2, let value = reply[1].string, !value.isEmpty else {
            throw CommandFailure("Redis did not answer CONFIG GET \(name); allow CONFIG for this user")
        }
        return value
    }

    /// Starts a save; when one is already running, waits for it and starts a fresh one, so the
    /// snapshot is never older than this command.
    private func startSave(_ client: RedisClient) async throws {
        let started = ContinuousClock.now
        while true {
            // The reply is read as a value: matching the thrown error in a catch clause here
            // crashes the Swift 6.3 compiler (MandatoryAllocBoxToStack).
            let reply = try await client.pipeline([["BGSAVE"]])[0]  // one command, one reply
            guard case .error(let message) = reply else { return }
            guard message.contains("in progress") else { throw RedisError.server(message) }
            guard ContinuousClock.now - started < deadline else { throw CommandFailure("Redis kept a save in progress for \(deadline)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits until Redis has completed one more RDB save than `before` (INFO's `rdb_saves`
    /// counter, Redis 7), and fails if that save failed.
    private func waitForSave(after before: Int, _ client: RedisClient) async throws {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let fields = try await persistence(client)
            // BGSAVE forks before it answers, so once no save is in progress, ours has ended.
            guard fields["rdb_bgsave_in_progress"] == "0" else { continue }
            guard fields["rdb_last_bgsave_status"] == "ok" else {
                throw CommandFailure("Redis reports its BGSAVE failed (rdb_last_bgsave_status:\(fields["rdb_last_bgsave_status"] ?? "?")); check its log and disk")
            }
            if let saves = fields["rdb_saves"].flatMap({ Int($0) }), saves > before { return }
        }
        throw CommandFailure("Redis did not finish BGSAVE within \(deadline)")
    }

    private func persistence(_ client: RedisClient) async throws -> [String: String] {
        let fields = try await client.info("persistence")
        guard fields["rdb_saves"] != nil else { throw CommandFailure("Redis does not report rdb_saves; nsctl backup needs Redis 7 or later") }
        return fields
    }
}
