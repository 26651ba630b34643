import Foundation
import NSCore
import Testing

/// `WITNESSES=name@url=vkey,...`: the witnesses ns-node sends its checkpoints to.
@Suite("WITNESSES: ns-node's witnesses, parsed strictly")
struct WitnessPeerTests {
    /// A fixed key whose vkey holds the letters `KEY`: random keys did now and then, and a
    /// placeholder substitution that rewrote them failed CI once. (`try!`: a valid 32-byte seed,
    /// written here, cannot fail.)
    static let first = CosignerKey(name: "witness.example/w1", key: try! LedgerKey(name: "w1", seedBase64: "JhGiJgYwQt2uGBr9P/mPKuTX1YTDCPDsExukF7uqmZo=")).verifier
    static let second = CosignerKey(name: "w2.example.org", key: LedgerKey(generatingNamed: "w2")).verifier

    func load(_ witnesses: String, roles: Set<NodeRole> = [.ns]) throws(ConfigurationError) -> [WitnessPeer] {
        try DaemonSettings.load(roles: roles, dataDirectory: "/nonexistent", source: ConfigurationSource(environment: ["WITNESSES": witnesses]))
            .ledger.witnesses
    }

    @Test("vkeys as the witnesses log them, or bare base64 keys, in order; URL prefixes kept; unset or empty is none")
    func parses() throws {
        #expect(Self.first.vkey.contains("KEY"))
        let peers = try load(" witness.example/w1@http://127.0.0.1:3010=\(Self.first.vkey) , w2.example.org@https://w2.example.org/prefix=\(Self.second.publicKey.base64)")
        #expect(peers.map(\.name) == ["witness.example/w1", "w2.example.org"])
        #expect(peers.map(\.verifier) == [Self.first, Self.second])
        #expect(peers.map(\.url.absoluteString) == ["http://127.0.0.1:3010", "https://w2.example.org/prefix"])
        #expect(try load("").isEmpty)
        #expect(try DaemonSettings.load(roles: [.ns], dataDirectory: "/nonexistent", source: ConfigurationSource(environment: [:])).ledger.witnesses.isEmpty)
        // Only ns-node reads it.
        #expect(try load("garbage", roles: [.gateway]).isEmpty)
    }

    @Test("each malformed entry stops start-up in one line naming WITNESSES, the entry, and never the URL", arguments: [
        ("no-at-sign=<key>", "entry 1 is not name@url=vkey"),
        ("w@http://h:1", "entry 1 is not name@url=vkey"),
        ("@http://h:1=<key>", "entry 1 has no valid witness name"),
        ("w@ftp://secret@h:1=<key>", "entry 1 (w) has no valid http(s) URL"),
        ("w@http://h:1/?q=<key>", "entry 1 (w) has no valid http(s) URL"),
        ("witness.example/w1@http://h:1=not-a-key", "entry 1 (witness.example/w1) has no valid key"),
        ("other.example@http://h:1=<vkey>", "entry 1 (other.example) has no valid key"),
        ("witness.example/w1@http://h:1=<vkey>,", "entry 2 is empty"),
        ("witness.example/w1@http://a:1=<vkey>,witness.example/w1@http://b:1=<vkey>", "names the witness witness.example/w1 twice"),
    ])
    func refuses(value: String, problem: String) {
        // Placeholders hold characters base64 never has, so a generated key that happens to contain one cannot be rewritten.
        let text = value.replacingOccurrences(of: "<vkey>", with: Self.first.vkey).replacingOccurrences(of: "<key>", with: Self.first.publicKey.base64)
        #expect {
            _ = try load(text)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == "WITNESSES" && error.problem.hasPrefix(problem) && !error.description.contains("secret@")
                && !error.description.contains("\n")
        }
    }

    @Test("more than 32 witnesses are refused")
    func bounded() {
        let many = (0...WitnessPeer.maxCount).map { "w\($0)@http://h:1=\(Self.first.publicKey.base64)" }.joined(separator: ",")
        #expect(throws: ConfigurationError.self) { _ = try load(many) }
    }
}
