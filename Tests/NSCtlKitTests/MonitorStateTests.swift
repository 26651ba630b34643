import Foundation
import NSCore
@testable import NSCtlKit
import NSTestSupport
import Testing

/// `nsctl monitor`'s memory between runs: the state file and the evidence folders. Real files in
/// a temporary folder.
@Suite("monitor state file and evidence")
struct MonitorStateTests {
    static let key = LedgerKey(generatingNamed: "example.com/log")
    static let now = Date(timeIntervalSince1970: 1_795_363_383)

    static func state(size: UInt64) -> MonitorState {
        let checkpoint = Checkpoint(origin: "example.com/log", size: size, root: MerkleHash.sha256(Array("root \(size)".utf8)))
        return MonitorState(checkpoint: checkpoint, note: checkpoint.signed(with: key), recordedAt: "2026-11-22T16:03:03Z")
    }

    @Test("a recorded state reads back as written, replaced without a backup; a note that is not the recorded tree is refused")
    func roundTrip() throws {
        let folder = try Tools.temporaryDirectory("monitor-state")
        let path = folder + "/state.json"
        #expect(try MonitorState.read(path) == nil)
        try Self.state(size: 5).write(to: path)
        try Self.state(size: 9).write(to: path)
        #expect(try MonitorState.read(path) == Self.state(size: 9))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["state.json"])

        var json = Self.state(size: 9).json
        if case .object(var fields) = json {
            fields["note"] = .string(Self.state(size: 10).note)
            json = .object(fields)
        }
        #expect(MonitorState.parse(CanonicalJSON.encode(json)) == nil)
        #expect(MonitorState.parse(Array("{}".utf8)) == nil)
        #expect(MonitorState.parse(CanonicalJSON.encode(Self.state(size: 9).json)) == Self.state(size: 9))
    }

    @Test("evidence is kept once per recorded checkpoint and finding, with both notes")
    func evidenceOnce() throws {
        let folder = try Tools.temporaryDirectory("monitor-evidence")
        let path = folder + "/state.json"
        let recorded = Self.state(size: 9)
        let first = try MonitorEvidence.keep(stateFile: path, recorded: recorded, served: "forged", kind: "fork", finding: "fork: ...", now: Self.now)
        #expect(first.isNew && first.folder == path + ".evidence-20261122T160303Z-fork")
        #expect(try String(contentsOfFile: first.folder + "/recorded.checkpoint", encoding: .utf8) == recorded.note)
        #expect(try String(contentsOfFile: first.folder + "/served.checkpoint", encoding: .utf8) == "forged")
        let again = try MonitorEvidence.keep(stateFile: path, recorded: recorded, served: "forged again", kind: "fork", finding: "fork", now: Self.now + 600)
        #expect(!again.isNew && again.folder == first.folder)
        let other = try MonitorEvidence.keep(stateFile: path, recorded: recorded, served: "smaller", kind: "rollback", finding: "rollback", now: Self.now + 600)
        #expect(other.isNew && other.folder == path + ".evidence-20261122T161303Z-rollback")
        let newer = try MonitorEvidence.keep(stateFile: path, recorded: Self.state(size: 12), served: "forged", kind: "fork", finding: "fork", now: Self.now + 1_200)
        #expect(newer.isNew && newer.folder != first.folder)
        let unrecorded = try MonitorEvidence.keep(stateFile: path, recorded: nil, served: "bad", kind: "bad-checkpoint", finding: "bad", now: Self.now)
        #expect(unrecorded.files == ["served.checkpoint", "finding.txt"])
    }
}
