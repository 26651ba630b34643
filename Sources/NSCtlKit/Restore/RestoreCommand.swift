import ArgumentParser
import Foundation
import NSCore
import NSLedger

extension NSCtl {
    /// `nsctl restore FILE --volume NAME`: puts a verified backup in place of a stopped node's data.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a volume from a backup file, keeping the current data aside.",
            discussion: """
                Refuses while the node that owns the volume runs (nsd holds a lock on each volume it \
                uses). Verifies the archive first (as nsctl backup verify), then moves the current \
                folder aside as VOLUME.replaced-<UTC time> (nothing is deleted) and puts the backup in \
                its place; for ns-node-data the restored chain is verified again. With DATABASE_URL (or \
                DATABASE_URL_FILE) set, ns-node-data's ledger goes into PostgreSQL instead: refused while \
                an ns-node is connected to the database, the ledger schema is renamed \
                ledger_replaced_<UTC time> and a new one is filled from the archive in one transaction, \
                then the chain is verified there. Any ns-node-data archive works, so this also moves an \
                SQLite ledger into PostgreSQL. admin-node-data goes there the same way: refused while an \
                admin-node is connected, the admin schema is kept as admin_replaced_<UTC time>, the audit \
                trail and sessions are imported in one transaction and the audit chain is verified there; \
                an SQLite admin-node's admin-node-data archive moves its trail into PostgreSQL. Asks for a typed \
                "yes" on a terminal; pass --yes in scripts.
                """)

        @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The volume to restore: \(BackupVolume.names).", valueName: "name"))
        var volume: BackupVolume

        @Flag(help: "Restore without asking.")
        var yes = false

        @OptionGroup var options: BackupOptions

        func run() async throws {
            try await reportingFailures {
                let dataDirectory = try options.dataDirectory()
                let target = volume.folder(in: dataDirectory)
                let postgres = volume.postgresFile == nil ? nil : PostgresRestore(database: try options.databaseURL(), volume: volume)
                try await refuseWhileOwnerRuns(target, postgres: postgres)
                try BackupFiles.makePrivateDirectory(dataDirectory)
                let stamp = BackupName.format(Date())
                let scratch = (dataDirectory as NSString).appendingPathComponent(".restore-\(volume.rawValue)-\(stamp)-\(UUID().uuidString.prefix(8))")
                try BackupFiles.makePrivateDirectory(scratch)
                defer { BackupFiles.discard(scratch) }
                let verified = try await BackupVerifier(progress: .terminal).verify(file, in: scratch)
                guard verified.manifest.volume == volume.rawValue else {
                    throw CommandFailure("\(file) is a backup of \(verified.manifest.volume), not \(volume.rawValue); pass --volume \(verified.manifest.volume)")
                }
                let replaced = postgres?.replacedDescription ?? target
                try Confirmation.require(yes: yes, question: "Replace \(replaced) with the backup from \(verified.manifest.createdAt)?", refusal: "restored")
                try await refuseWhileOwnerRuns(target, postgres: postgres)  // it may have started while we verified
                var line = "restored \(volume.rawValue) from \(file) (taken \(verified.manifest.createdAt))"
                if let postgres {
                    line += " into the database in DATABASE_URL; " + (try await postgres.restore(verified, stamp: stamp, progress: .terminal))
                    // The database file is in PostgreSQL now; the volume folder gets the archive's other files (keys), if any.
                    BackupFiles.discard((verified.dataFolder as NSString).appendingPathComponent(postgres.file))
                    if try BackupFiles.volumeFiles(in: verified.dataFolder).isEmpty {
                        print(line)
                        return
                    }
                }
                let aside = target + ".replaced-\(stamp)"
                if FileManager.default.fileExists(atPath: target) {
                    guard rename(target, aside) == 0 else { throw CommandFailure("cannot move \(target) aside: \(String(cString: strerror(errno)))") }
                }
                guard rename(verified.dataFolder, target) == 0 else {
                    let problem = String(cString: strerror(errno))
                    if FileManager.default.fileExists(atPath: aside) { _ = rename(aside, target) }
                    throw CommandFailure("cannot move the restored files into \(target): \(problem); the previous data is back in place")
                }
                _ = chmod(target, 0o700)
                try BackupFiles.sync(path: dataDirectory)
                if volume == .nsNode && postgres == nil { line += "; \(try await verifyRestoredChain(in: target))" }
                if FileManager.default.fileExists(atPath: aside) { line += "; previous data kept at \(aside)" }
                print(line)
                if volume == .redis {
                    print("note: with appendonly yes, Redis loads its AOF and ignores dump.rdb; start it once with --appendonly no, then CONFIG SET appendonly yes")
                }
            }
        }

        private func refuseWhileOwnerRuns(_ target: String, postgres: PostgresRestore?) async throws {
            try await postgres?.refuseWhileOwnersRun()
            if volume == .redis {
                let url: URL
                do {
                    url = try options.redisURL()
                } catch {
                    throw RedisReachability.refusal("\(error)")
                }
                if try await RedisReachability.answers(url) {
                    throw CommandFailure("Redis at \(url.host ?? "?"):\(url.port ?? 6379) is running; stop it before restoring redis-data")
                }
                return
            }
            if let pid = VolumeLock.holder(of: target) {
                throw CommandFailure("\(volume.rawValue) is in use by a running nsd (pid \(pid)) hosting \(volume.owner); stop it before restoring")
            }
        }

        private func verifyRestoredChain(in folder: String) async throws -> String {
            let path = (folder as NSString).appendingPathComponent(DataLayout.ledgerDatabaseFile)
            switch try await ChainAudit.audit(path: path) {
            case .success(let summary): return "chain verified to height \(summary.height)"
            case .failure(let fault): throw CommandFailure("the restored chain fails verification at height \(fault.height): \(fault.check); the previous data is kept aside")
            }
        }
    }
}
