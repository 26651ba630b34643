import Foundation
import NSTestSupport
import Testing

/// `scripts/dr-drill`, the drill of docs/operations.md "Disaster recovery", run against the debug
/// binaries: the data folder is destroyed under load and recovered from the backup, and every
/// artifact accepted after the backup is found and resubmitted.
@Suite("the disaster-recovery drill")
struct DisasterRecoveryDrillTests {
    /// The first whole number after `label` at the start of one of the drill's result lines.
    static func count(_ label: String, in output: String) throws -> Int {
        let line = try #require(output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label + " ") },
                                "no \(label) line in:\n\(output)")
        let rest = line.trimmingCharacters(in: .whitespaces).dropFirst(label.count)
        let digits = rest.drop { !$0.isNumber }.prefix { $0.isNumber }
        return try #require(Int(digits), "no number in \(line)")
    }

    @Test("destroying the data folder under load: restore, verify, resume, and every artifact accepted after the backup resubmitted once")
    func drill() async throws {
        let child = try ChildProcess(executable: SplitDeploymentTests.root + "/scripts/dr-drill",
                                     arguments: ["--before", "3", "--after", "3", "--resume", "2"],
                                     environment: NSDInstance.environment(["NSD": try NSDInstance.binary(), "NSCTL": try NSDInstance.nsctl()]),
                                     directory: SplitDeploymentTests.root)
        var status = await child.waitForExit(timeout: .seconds(150))
        if status == nil {
            child.signal(SIGTERM)  // the script's trap stops its nsd and client and removes its folder
            status = await child.waitForExit(timeout: .seconds(60))
        }
        let output = child.stdout
        #expect(status == 0, "dr-drill exited \(String(describing: status)):\n\(output)\n\(child.stderr)")
        #expect(output.contains("dr-drill: PASS"), "\(output)")

        let accepted = try Self.count("accepted", in: output)
        let inBackup = try Self.count("in backup", in: output)
        let lostBefore = try Self.count("lost before resubmission", in: output)
        let recovered = try Self.count("recovered by resubmission", in: output)
        #expect(accepted > 0)
        #expect(accepted == inBackup + lostBefore, "\(output)")
        // Writes went on for 3 s after the backup: some artifacts must have been lost and found again.
        #expect(lostBefore > 0, "nothing was accepted after the backup:\n\(output)")
        #expect(recovered == lostBefore, "\(output)")
        #expect(try Self.count("lost after", in: output) == 0)
        #expect(try Self.count("duplicated", in: output) == 0)
        #expect(output.contains("chain                 verified") && output.contains("audit                 verified"), "\(output)")
        #expect(output.contains("first 202 again after"), "\(output)")
        // Everything the drill made is gone: its temporary folder and its processes.
        let left = try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("dr-drill.") }
        let mine = output.split(separator: " ").first { $0.hasPrefix("/tmp/dr-drill.") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .punctuationCharacters) }
        if let mine { #expect(!left.contains(mine), "\(mine) was left behind") }
    }
}
