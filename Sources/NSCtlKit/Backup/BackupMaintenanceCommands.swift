import ArgumentParser
import Foundation

extension NSCtl.Backup {
    /// `nsctl backup list`: what is in the backup folder, read from each archive's manifest.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the backups in --out, oldest first per volume, with their manifests' summary.")

        @OptionGroup var options: BackupOptions

        func run() async throws {
            try await reportingFailures {
                let (folder, names) = try options.backups()
                var rows: [[String: Any]] = []
                for name in names {
                    let path = (folder as NSString).appendingPathComponent(name.fileName)
                    // A file that cannot be read lists as size 0 with the manifest problem below, which names the fix.
                    var row: [String: Any] = ["file": name.fileName, "volume": name.volume.rawValue, "size": (try? BackupFiles.size(path: path)) ?? 0]
                    if let manifest = try? BackupArchive.manifest(of: path) {
                        row["createdAt"] = manifest.createdAt
                        row["files"] = manifest.files.count
                        if let ledger = manifest.ledger { row["ledgerHeight"] = ledger.height }
                    } else {
                        row["problem"] = "unreadable manifest; run nsctl backup verify"
                    }
                    rows.append(row)
                }
                if options.json {
                    print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self))
                    return
                }
                guard !rows.isEmpty else {
                    print("no backups in \(folder)")
                    return
                }
                for row in rows {
                    var line = "\(row["file"] ?? "")  \(row["size"] ?? 0) bytes"
                    if let height = row["ledgerHeight"] { line += "  ledger height \(height)" }
                    if let problem = row["problem"] { line += "  (\(problem))" }
                    print(line)
                }
            }
        }
    }

    /// `nsctl backup verify FILE`: the full check restore also runs.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup: archive, manifest, every file's SHA-256, database integrity, and the ledger or audit chain.",
            discussion: "Unpacks into a scratch folder (removed afterwards). Exit 0 when everything checks; 1 naming the first problem.")

        @Argument(help: ArgumentHelp("The backup file.", valueName: "file"))
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("nsctl-verify-\(UUID().uuidString)")
                try BackupFiles.makePrivateDirectory(scratch)
                defer { BackupFiles.discard(scratch) }
                let verified = try await BackupVerifier(progress: .terminal).verify(file, in: scratch)
                let manifest = verified.manifest
                if json {
                    var summary: [String: Any] = ["ok": true, "volume": manifest.volume, "files": manifest.files.count, "createdAt": manifest.createdAt]
                    if let ledger = manifest.ledger { summary["ledgerHeight"] = ledger.height }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    var line = "\(file): verified \(manifest.volume) from \(manifest.createdAt), \(manifest.files.count) file(s)"
                    if let ledger = manifest.ledger { line += ", chain verified to height \(ledger.height)" }
                    print(line)
                }
            }
        }
    }

    /// `nsctl backup prune`: retention, dry-run unless `--yes`.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete old backups, keeping the newest --keep-last per volume and one per day for --keep-daily days.",
            discussion: "Prints what it would delete and deletes nothing unless --yes is given.")

        @Option(help: ArgumentHelp("Keep this many newest backups of each volume.", valueName: "n"))
        var keepLast: Int

        @Option(help: ArgumentHelp("Also keep the newest backup of each of the last N days that have one.", valueName: "n"))
        var keepDaily: Int = 0

        @Flag(help: "Delete; without it, only show what would be deleted.")
        var yes = false

        @OptionGroup var options: BackupOptions

        func validate() throws {
            guard keepLast >= 1 else { throw ValidationError("--keep-last must be at least 1, so prune never deletes every backup") }
            guard keepDaily >= 0 else { throw ValidationError("--keep-daily must not be negative") }
        }

        func run() async throws {
            try await reportingFailures {
                let (folder, names) = try options.backups()
                let plan = BackupRetention(keepLast: keepLast, keepDaily: keepDaily).plan(names)
                for backup in plan.keep { print("keep    \(backup.fileName)") }
                for backup in plan.delete {
                    let path = (folder as NSString).appendingPathComponent(backup.fileName)
                    if yes {
                        do {
                            try FileManager.default.removeItem(atPath: path)
                        } catch {
                            throw CommandFailure("cannot delete \(path): \(error.localizedDescription)")
                        }
                        print("deleted \(backup.fileName)")
                    } else {
                        print("would delete \(backup.fileName)")
                    }
                }
                if !yes && !plan.delete.isEmpty { print("dry run: nothing deleted; pass --yes to delete \(plan.delete.count) file(s)") }
            }
        }
    }
}
