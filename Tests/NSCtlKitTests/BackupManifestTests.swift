import Foundation
import GRDB
import NSCore
@testable import NSCtlKit
import NSSQLite
import NSTestSupport
import Testing

/// The manifest every backup archive starts with: what `nsctl backup` writes into it, and what
/// `nsctl backup verify` (and restore) refuses. Real files, a real SQLite database, the system tar.
@Suite("backup manifest")
struct BackupManifestTests {
    /// 2026-11-22T16:03:03Z, the fake clock of the backups written here.
    static let takenAt = Date(timeIntervalSince1970: 1_795_363_383)
    /// SHA-256 of `abc` (FIPS 180-2's first example).
    static let abcDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    /// A volume folder holding a database (an admin.db with one audit entry) and a key file.
    static func volumeFolder() throws -> String {
        let folder = try Tools.temporaryDirectory("ns-backup-volume")
        let database = try DatabaseQueue(path: folder + "/admin.db")
        var migrator = DatabaseMigrator()
        AdminSchema.register(in: &migrator)
        try migrator.migrate(database)
        let event = AuditEvent(actor: "alice", role: "operator", source: "127.0.0.1", action: "sign-in", target: "session", outcome: "ok",
                               correlationID: "req-1")
        var entry = AuditEntry(sequence: 1, time: 1_795_363_383_000, event: event, previousHash: AuditChain.genesisHash)
        entry.hash = entry.computedHash
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO audit (seq, time, actor, role, source, action, target, outcome, correlation_id, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.sequence, entry.time, entry.actor, entry.role, entry.source, entry.action, entry.target,
                                 entry.outcome, entry.correlationID, entry.previousHash, entry.hash])
        }
        try database.close()
        try FileManager.default.createDirectory(atPath: folder + "/keys", withIntermediateDirectories: true)
        try Data("abc".utf8).write(to: URL(fileURLWithPath: folder + "/keys/admin.key"))
        return folder
    }

    /// An archive holding `manifest` (or raw `manifestData`) and `files` under `data/`, as a damaged
    /// or foreign backup could.
    static func archive(_ manifest: BackupManifest? = nil, manifestData: Data? = nil, files: [String: String]) throws -> String {
        let folder = try Tools.temporaryDirectory("ns-backup-archive")
        let staging = folder + "/staging"
        for (path, text) in files {
            let full = staging + "/" + BackupManifest.dataFolder + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
        try FileManager.default.createDirectory(atPath: staging + "/" + BackupManifest.dataFolder, withIntermediateDirectories: true)
        let data = try manifestData ?? #require(manifest).encoded()
        try data.write(to: URL(fileURLWithPath: staging + "/" + BackupManifest.fileName))
        let path = folder + "/vp-node-data-20261122T160303Z.tar.gz"
        try BackupFiles.createPrivateFile(path)
        try BackupArchive.create(at: path, from: staging)
        return path
    }

    static func manifest(volume: String = "vp-node-data", format: Int = BackupManifest.currentFormat,
                         files: [BackupManifest.File] = [.init(path: "keys/vp.key", size: 3, sha256: abcDigest, kind: .plain)]) -> BackupManifest {
        BackupManifest(format: format, volume: volume, createdAt: "2026-11-22T16:03:03.000Z", tool: "nsctl test", files: files, ledger: nil)
    }

    /// What verify says about `archive`: `verified`, or the one-line failure.
    static func verdict(_ archive: String) async throws -> String {
        let scratch = try Tools.temporaryDirectory("ns-backup-verify")
        defer { try? FileManager.default.removeItem(atPath: scratch) }  // scratch space: leftovers only cost disk
        do {
            _ = try await BackupVerifier(progress: .silent).verify(archive, in: scratch)
            return "verified"
        } catch let failure as CommandFailure {
            return failure.message
        }
    }

    @Test("a backup lists every file with its size, SHA-256 and kind, is written 0600, and verifies")
    func writtenBackupVerifies() async throws {
        let output = try Tools.temporaryDirectory("ns-backup-out")
        let volume = try #require(BackupVolume(argument: "admin-node-data"))
        let written = try await BackupWriter(outputDirectory: output, progress: .silent)
            .write(volume: volume, from: .volume(VolumeSnapshot(volume: volume, source: try Self.volumeFolder(), progress: .silent)), at: Self.takenAt)
        #expect((written.path as NSString).lastPathComponent == "admin-node-data-20261122T160303Z.tar.gz")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output) == ["admin-node-data-20261122T160303Z.tar.gz"], "no staging or partial file left")
        let mode = (try FileManager.default.attributesOfItem(atPath: written.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)

        let manifest = written.manifest
        #expect(manifest.format == 1)
        #expect(manifest.volume == "admin-node-data")
        #expect(manifest.createdAt.hasPrefix("2026-11-22T16:03:03"))
        #expect(manifest.ledger == nil)
        #expect(manifest.files.map(\.path) == ["admin.db", "keys/admin.key"])
        #expect(manifest.files.map(\.kind) == [.sqlite, .plain])
        #expect(manifest.files[1].size == 3)
        #expect(manifest.files[1].sha256 == Self.abcDigest)
        #expect(manifest.totalSize == manifest.files[0].size + 3)

        #expect(try BackupArchive.manifest(of: written.path) == manifest)
        let scratch = try Tools.temporaryDirectory("ns-backup-verify")
        let verified = try await BackupVerifier(progress: .silent).verify(written.path, in: scratch)
        #expect(verified.manifest == manifest)
        #expect(FileManager.default.contents(atPath: verified.dataFolder + "/keys/admin.key") == Data("abc".utf8))
    }

    @Test("the manifest is JSON with sorted keys and the file kinds' stable names, and reads back equal")
    func encoding() throws {
        let manifest = BackupManifest(format: 1, volume: "redis-data", createdAt: "2026-11-22T16:03:03.000Z", tool: "nsctl 1.0",
                                      files: [.init(path: "dump.rdb", size: 10, sha256: Self.abcDigest, kind: .redisSnapshot)],
                                      ledger: .init(height: 7, logSize: 9, logRoot: "00ff", checkpoint: "note"))
        let text = String(decoding: try manifest.encoded(), as: UTF8.self)
        #expect(text.contains("\"kind\" : \"redis-rdb\""))
        let positions = ["createdAt", "files", "format", "ledger", "tool", "volume"].compactMap { text.range(of: "\"\($0)\" :")?.lowerBound }
        #expect(positions.count == 6)
        #expect(positions == positions.sorted())
        #expect(try BackupManifest.decode(manifest.encoded()) == manifest)
    }

    @Test("a hand-made archive whose manifest matches its files verifies (the baseline of the refusals below)")
    func matchingArchiveVerifies() async throws {
        #expect(try await Self.verdict(Self.archive(Self.manifest(), files: ["keys/vp.key": "abc"])) == "verified")
    }

    @Test("verify refuses an archive whose files and manifest disagree", arguments: [
        ("a changed file", Self.manifest(), ["keys/vp.key": "abd"], "keys/vp.key does not match its SHA-256 in the manifest"),
        ("a file of another size", Self.manifest(), ["keys/vp.key": "abcd"], "keys/vp.key is 4 bytes, the manifest says 3"),
        ("an unlisted file", Self.manifest(), ["keys/vp.key": "abc", "extra.txt": "x"], "holds extra.txt, which its manifest does not list"),
        ("a missing file", Self.manifest(), [:], "lacks keys/vp.key, which its manifest lists"),
        ("a path out of the volume", Self.manifest(files: [.init(path: "../../etc/passwd", size: 3, sha256: Self.abcDigest, kind: .plain)]), [:],
         "manifest path ../../etc/passwd leaves the volume"),
        ("a newer format", Self.manifest(format: 2), ["keys/vp.key": "abc"], "has manifest format 2; this nsctl reads format 1"),
        ("an unknown volume", Self.manifest(volume: "cache-data"), ["keys/vp.key": "abc"], "names volume cache-data, which is not one of"),
        ("a ledger volume without its ledger state", Self.manifest(volume: "ns-node-data"), ["keys/vp.key": "abc"],
         "the ns-node-data manifest has no ledger state"),
    ])
    func refusals(_ tampered: (what: String, manifest: BackupManifest, files: [String: String], expected: String)) async throws {
        let verdict = try await Self.verdict(Self.archive(tampered.manifest, files: tampered.files))
        #expect(verdict.contains(tampered.expected), "\(tampered.what): \(verdict)")
    }

    @Test("verify refuses a manifest that is not one, and an archive cut short")
    func unreadable() async throws {
        let foreign = try Self.archive(manifestData: Data("{\"hello\": 1}".utf8), files: [:])
        #expect(try await Self.verdict(foreign).hasSuffix("manifest.json is not a NeuroSwarm backup manifest"))
        #expect(throws: CommandFailure.self) { try BackupArchive.manifest(of: foreign) }

        let cut = try Self.archive(Self.manifest(), files: ["keys/vp.key": String(repeating: "abc", count: 50_000)])
        let bytes = try #require(FileManager.default.contents(atPath: cut))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(try await Self.verdict(cut).contains("is damaged or not a backup archive"))
        #expect(try await Self.verdict(cut + ".missing").hasSuffix("does not exist or is not readable"))
    }
}
