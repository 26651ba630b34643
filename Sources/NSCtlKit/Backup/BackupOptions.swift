import ArgumentParser
import Foundation
import NSCore

/// Where backups are read and written, and which data directory they come from. Values come
/// from flags, then the environment, then `./.env` (or `--env-file`), then the defaults.
struct BackupOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of backup files. Env: BACKUP_DIR (default ./backups).", valueName: "path"))
    var out: String?

    @Option(help: ArgumentHelp("nsd's data directory, holding the volume folders. Env: DATA_DIR (default ./data).", valueName: "path"))
    var dataDir: String?

    @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
    var envFile: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    private func value(_ flag: String?, _ variable: String, default fallback: String) throws -> String {
        let source = try Settings.source(envFile: envFile, flags: flag.map { [variable: $0] } ?? [:])
        return source.string(variable) ?? fallback
    }

    func outputDirectory() throws -> String { try value(out, "BACKUP_DIR", default: "backups") }
    func dataDirectory() throws -> String { try value(dataDir, "DATA_DIR", default: DataLayout.defaultDirectory) }

    /// `REDIS_URL`, required to back up `redis-data`.
    func redisURL() throws -> URL {
        let source = try Settings.source(envFile: envFile)
        guard let text = source.string("REDIS_URL") else {
            throw CommandFailure("redis-data needs REDIS_URL (environment or .env) naming the Redis to snapshot")
        }
        guard let url = URL(string: text) else { throw CommandFailure("REDIS_URL is not a URL; use redis://host:6379/0") }
        return url
    }

    /// The Redis to snapshot for `redis-data`: the master `REDIS_SENTINELS` names, else `REDIS_URL`.
    func redisTarget() throws -> RedisTarget {
        guard let target = try RedisTarget.load(source: try Settings.source(envFile: envFile)) else {
            throw CommandFailure("redis-data needs REDIS_URL (environment or .env) naming the Redis to snapshot")
        }
        return target
    }

    /// Whether `REDIS_URL` or `REDIS_SENTINELS` is set: the queue is then in Redis rather than in `vp-node-data`.
    func redisConfigured() -> Bool {
        // A settings file that cannot be read says nothing about Redis; redisTarget() reports it when redis-data is named.
        guard let source = try? Settings.source(envFile: envFile) else { return false }
        return source.string("REDIS_URL") != nil || source.string("REDIS_SENTINELS") != nil
    }

    /// The backup files in the output folder, oldest first within each volume.
    func backups() throws -> (folder: String, names: [BackupName]) {
        let folder = try outputDirectory()
        guard FileManager.default.fileExists(atPath: folder) else { return (folder, []) }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CommandFailure("cannot list \(folder): \(error.localizedDescription)")
        }
        return (folder, entries.compactMap(BackupName.init(fileName:)).sorted())
    }
}
