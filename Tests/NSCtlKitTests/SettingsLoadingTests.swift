import Foundation
@testable import NSCtlKit
import NSCore
import Testing

/// nsctl reads settings through the loader nsd uses and reports a bad configuration as nsd does:
/// one line and `EX_CONFIG`.
@Suite("nsctl settings loading")
struct SettingsLoadingTests {
    @Test("an --env-file that does not exist fails with EX_CONFIG, naming the file")
    func missingEnvFile() {
        let path = NSTemporaryDirectory() + "nsctl-absent-\(UUID().uuidString).env"
        #expect {
            _ = try Settings.source(envFile: path)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.exitCode == 78 && failure.message == "configuration error: --env-file names \(path), which does not exist; "
                + "create it (nsctl secrets gen) or drop the flag"
        }
    }

    @Test("a malformed dotenv line fails with EX_CONFIG, naming the file and line")
    func malformedLine() throws {
        let path = NSTemporaryDirectory() + "nsctl-bad-\(UUID().uuidString).env"
        try Data("GATEWAY_URL=http://localhost:8080\nnot a setting\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }  // a leftover temporary file is harmless
        #expect {
            _ = try Settings.source(envFile: path)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.exitCode == 78 && failure.message.hasPrefix("configuration error: \(path):2 has no '='")
        }
    }

    @Test("flags beat the dotenv file for nsctl too")
    func flagsFirst() throws {
        let path = NSTemporaryDirectory() + "nsctl-good-\(UUID().uuidString).env"
        try Data("GATEWAY_URL=http://from-file:1\nVP_URL=http://from-file:2\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }  // a leftover temporary file is harmless
        let source = try Settings.source(envFile: path, flags: ["GATEWAY_URL": "http://from-flag:3"])
        #expect(source.string("GATEWAY_URL") == "http://from-flag:3")
        #expect(source.string("VP_URL") == "http://from-file:2")
    }

    @Test("backup volume names are the data directory's folder names and parse back")
    func volumeNames() {
        #expect(BackupVolume.allCases.map(\.rawValue) == ["ns-node-data", "vp-node-data", "admin-node-data", "redis-data"])
        #expect(BackupVolume.allCases.allSatisfy { BackupVolume(rawValue: $0.rawValue) == $0 })
        #expect(BackupVolume(rawValue: "gateway-node-data") == nil)
        #expect(BackupVolume.nsNode.folder(in: "/srv") == "/srv/" + (NodeRole.ns.dataFolder ?? ""))
    }
}
