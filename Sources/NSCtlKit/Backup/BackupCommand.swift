import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl backup ...`: consistent snapshots of the data volumes while nsd runs.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up data volumes consistently while nsd runs; list, verify and prune backups.",
            discussion: """
                `nsctl backup ns-node-data vp-node-data admin-node-data` writes one \
                VOLUME-<UTC time>.tar.gz per volume (mode 0600) into --out. Databases are copied with \
                SQLite's VACUUM INTO and checked with PRAGMA integrity_check; redis-data is a BGSAVE \
                snapshot of REDIS_URL. Each archive holds manifest.json: every file's size and SHA-256, \
                and for ns-node-data the ledger height and newest signed checkpoint. Volumes are \
                snapshotted queue first (redis-data, vp-node-data), then ns-node-data, then \
                admin-node-data, whatever order they are named in: restored together, every job the \
                queue calls completed has its transaction in the ledger. Every named volume is checked \
                before the first archive is written (with the Redis queue vp-node-data holds nothing: \
                name redis-data instead). With DATABASE_URL (or DATABASE_URL_FILE) set, ns-node-data's \
                ledger and admin-node-data's audit trail and sessions are read from PostgreSQL, each in \
                one repeatable-read transaction, and archived as the SQLite file (neuroswarm_chain.db, \
                admin.db) an SQLite node keeps, so the archive restores to either engine. \
                Exit 0 when every backup is complete; 1 when one failed, \
                leaving nothing of it behind.
                """,
            subcommands: [Create.self, List.self, Verify.self, Prune.self],
            defaultSubcommand: Create.self)
    }
}

extension NSCtl.Backup {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Back up the named volumes (the default: `nsctl backup VOLUME...`).")

        @Argument(help: ArgumentHelp("Volumes to back up: \(BackupVolume.names).", valueName: "volume"))
        var volumes: [BackupVolume]

        @OptionGroup var options: BackupOptions

        func validate() throws {
            guard !volumes.isEmpty else { throw ValidationError("name at least one volume: \(BackupVolume.names)") }
            guard Set(volumes).count == volumes.count else { throw ValidationError("each volume may be named once") }
        }

        func run() async throws {
            try await reportingFailures {
                let writer = BackupWriter(outputDirectory: try options.outputDirectory(), progress: .terminal)
                let dataDirectory = try options.dataDirectory()
                let ordered = BackupVolume.inSnapshotOrder(volumes)
                let queueInRedis = options.redisConfigured()
                let snapshots = Dictionary(uniqueKeysWithValues: ordered.filter { $0 != .redis }.map { volume in
                    (volume, VolumeSnapshot(volume: volume, source: volume.folder(in: dataDirectory), progress: .terminal, queueInRedis: queueInRedis))
                })
                // Every source is checked before the first archive is written: one that cannot be
                // backed up must not leave the earlier volumes backed up and the later ones not.
                // With DATABASE_URL the ledger and admin-node's state are in PostgreSQL, and their
                // volumes need no folder.
                let database = ordered.contains { $0.postgresFile != nil } ? try options.databaseURL() : nil
                for volume in ordered {
                    if volume == .redis {
                        _ = try options.redisTarget()
                    } else if volume.postgresFile != nil, database != nil {
                        continue
                    } else {
                        _ = try snapshots[volume]?.sourceFiles()
                    }
                }
                var written: [BackupWriter.Written] = []
                for volume in ordered {
                    let source: BackupWriter.Source
                    if volume.postgresFile != nil, let database, let snapshot = snapshots[volume] {
                        source = .postgres(PostgresSnapshot(files: snapshot, database: database))
                    } else if let snapshot = snapshots[volume] {
                        source = .volume(snapshot)
                    } else {
                        source = .redis(RedisSnapshot(target: try options.redisTarget(), progress: .terminal))
                    }
                    let result = try await writer.write(volume: volume, from: source)
                    written.append(result)
                    if !options.json { print(Self.describe(result)) }
                }
                if options.json {
                    print(String(decoding: try JSONSerialization.data(withJSONObject: written.map { ["path": $0.path, "volume": $0.manifest.volume] },
                                                                     options: [.sortedKeys]), as: UTF8.self))
                }
            }
        }

        static func describe(_ written: BackupWriter.Written) -> String {
            var line = "\(written.path): \(written.manifest.files.count) file(s), \(written.manifest.totalSize) bytes"
            if let ledger = written.manifest.ledger { line += ", ledger height \(ledger.height) (\(ledger.logSize) transactions)" }
            return line
        }
    }
}
