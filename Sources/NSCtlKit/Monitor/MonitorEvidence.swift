import Foundation
import NSCore

/// The evidence of a CRITICAL finding, kept next to the state file in
/// `<state file>.evidence-<UTC>-<finding>/`: the recorded checkpoint note (`recorded.checkpoint`), the
/// one ns-node served (`served.checkpoint`) and the finding (`finding.txt`). Two signed notes
/// of one log that do not extend each other prove the log misbehaved to anyone holding its key.
///
/// One folder per recorded checkpoint and kind of finding (`<UTC>-fork`, `-rollback`, ...):
/// while the state is not advanced (a CRITICAL never advances it), later runs name the folder
/// already kept instead of adding one every run, so a cron job alerting for days keeps the
/// first evidence of each kind, and at most one folder per kind.
struct MonitorEvidence: Sendable, Equatable {
    static let recordedFile = "recorded.checkpoint"
    static let servedFile = "served.checkpoint"
    static let findingFile = "finding.txt"
    /// The most of a served body kept: a checkpoint note is far smaller; the rest is noise.
    static let maxServedBytes = 65_536

    let folder: String
    /// The files of the folder, as the output names them.
    let files: [String]
    /// Whether this run wrote the folder (false: an earlier run had kept the same evidence).
    let isNew: Bool

    /// Keeps `served` (and `recorded`, when there is a state) with `finding`, or names the folder
    /// that already holds evidence against the same recorded checkpoint.
    static func keep(stateFile: String, recorded: MonitorState?, served: String, kind: String, finding: String, now: Date) throws -> MonitorEvidence {
        let directory = (stateFile as NSString).deletingLastPathComponent
        let folderOfState = directory.isEmpty ? "." : directory
        let prefix = (stateFile as NSString).lastPathComponent + ".evidence-"
        let recordedNote = recorded.map { Array($0.note.utf8) }
        let files = (recorded == nil ? [] : [recordedFile]) + [servedFile, findingFile]
        // A folder that cannot be listed has no evidence to reuse; creating the new one below then fails with the reason.
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folderOfState)) ?? []
        for name in existing.sorted() where name.hasPrefix(prefix) && name.hasSuffix("-" + kind) {
            let folder = folderOfState + "/" + name
            let kept = FileManager.default.contents(atPath: folder + "/" + recordedFile).map(Array.init)
            if kept == recordedNote, FileManager.default.fileExists(atPath: folder + "/" + servedFile) {
                return MonitorEvidence(folder: folder, files: files, isNew: false)
            }
        }
        let folder = folderOfState + "/" + prefix + PrivateFile.stamp(now) + "-" + kind
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        if let recorded { try write(recorded.note, to: folder + "/" + recordedFile) }
        try write(String(decoding: Array(served.utf8.prefix(maxServedBytes)), as: UTF8.self), to: folder + "/" + servedFile)
        try write(finding + "\n", to: folder + "/" + findingFile)
        return MonitorEvidence(folder: folder, files: files, isNew: true)
    }

    /// Each file durably: evidence that vanishes in a crash is no evidence.
    private static func write(_ text: String, to path: String) throws {
        try PrivateFile.write(text, to: path, replacing: false)
    }
}
