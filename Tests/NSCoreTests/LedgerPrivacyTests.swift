import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("ledger privacy: LEDGER_PREVIEW, LEDGER_SUBMITTER and the submitter's keyed hash")
struct LedgerPrivacyTests {
    static let strong = String(repeating: "ab", count: 32)
    static let production = ["NODE_ENV": "production", "INTERNAL_TOKEN": strong, "JWT_SECRET": strong, "ENABLE_CORS": "false"]

    func load(_ environment: [String: String], roles: Set<NodeRole> = [.gateway]) throws(ConfigurationError) -> DaemonSettings {
        try DaemonSettings.load(roles: roles, dataDirectory: "/nonexistent", source: ConfigurationSource(environment: environment))
    }

    @Test("defaults: only the preview's SHA-256 and the submitter's keyed hash; values are read case-insensitively")
    func defaults() throws {
        let settings = try load([:]).ledgerPrivacy
        #expect(settings.preview == .hash && settings.submitter == .keyedHash && settings.submitterKey == nil)
        let chosen = try load(["LEDGER_PREVIEW": "Text", "LEDGER_SUBMITTER": "PLAIN", "LEDGER_SUBMITTER_KEY": Self.strong]).ledgerPrivacy
        #expect(chosen.preview == .text && chosen.submitter == .plain && chosen.submitterKey?.reveal() == Self.strong)
    }

    @Test("a bad value stops start-up naming the variable and the allowed values", arguments: [
        ("LEDGER_PREVIEW", "full", "hash, text"), ("LEDGER_SUBMITTER", "sha256", "keyed-hash, plain"),
    ])
    func badValue(variable: String, value: String, allowed: String) {
        #expect {
            _ = try load([variable: value], roles: [.vp])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == variable && error?.fix.contains(allowed) == true
        }
    }

    @Test("production needs LEDGER_SUBMITTER_KEY under keyed-hash on gateway and vp-node, at least 32 bytes, never printed; plain needs none")
    func productionKey() throws {
        #expect {
            _ = try load(Self.production)
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "LEDGER_SUBMITTER_KEY" && error?.fix.contains("LEDGER_SUBMITTER=plain") == true
        }
        let short = "short-submitter-key-Qx7"
        #expect {
            _ = try load(Self.production.merging(["LEDGER_SUBMITTER_KEY": short]) { $1 })
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "LEDGER_SUBMITTER_KEY" && error.map { !$0.description.contains(short) } == true
        }
        #expect(try load(Self.production.merging(["LEDGER_SUBMITTER_KEY": Self.strong]) { $1 }).ledgerPrivacy.submitterKey != nil)
        #expect(try load(Self.production.merging(["LEDGER_SUBMITTER": "plain"]) { $1 }).ledgerPrivacy.submitterKey == nil)

        let folder = try Tools.temporaryDirectory("submitter-key")
        try Self.strong.write(toFile: folder + "/key", atomically: true, encoding: .utf8)
        let fromFile = try load(Self.production.merging(["LEDGER_SUBMITTER_KEY_FILE": folder + "/key"]) { $1 })
        #expect(fromFile.ledgerPrivacy.submitterKey?.reveal() == Self.strong)
    }

    @Test("the keyed hash is HMAC-SHA256 (RFC 4231 case 2), stable, 64 hex digits, different per key and per user")
    func keyedHash() throws {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        #expect(SubmitterPseudonym(key: Secret("Jefe")).pseudonym(of: "what do ya want for nothing?")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let one = SubmitterPseudonym(key: Secret(Self.strong))
        let other = SubmitterPseudonym(key: Secret(String(repeating: "cd", count: 32)))
        let alice = one.pseudonym(of: "alice")
        #expect(alice == one.pseudonym(of: "alice"))
        #expect(alice != other.pseudonym(of: "alice") && alice != one.pseudonym(of: "bob"))
        #expect(Hex.isLowercase(alice, byteCount: 32) && LedgerTransaction.isValidSubmitter(alice))
        #expect(alice != MerkleHash.sha256(Array("alice".utf8)).hex, "not a plain hash anyone can recompute")
    }

    @Test("transactions carry what the policy says; the owner is recognised by the plain sub or its keyed hash, nobody else")
    func policy() throws {
        let pseudonym = SubmitterPseudonym(key: Secret(Self.strong))
        let hidden = LedgerPrivacy(preview: .hash, submitter: .keyedHash, pseudonym: pseudonym)
        #expect(hidden.recordedSubmitter("alice") == pseudonym.pseudonym(of: "alice"))
        #expect(hidden.previewFields("hello") == (nil, MerkleHash.sha256(Array("hello".utf8)).hex))
        #expect(hidden.recorded(pseudonym.pseudonym(of: "alice"), names: "alice") && hidden.recorded("alice", names: "alice"))
        #expect(!hidden.recorded(pseudonym.pseudonym(of: "alice"), names: "bob") && !hidden.recorded("alice", names: "bob"))

        #expect(LedgerPrivacy.published.recordedSubmitter("alice") == "alice")
        #expect(LedgerPrivacy.published.previewFields("hello") == ("hello", nil))
        #expect(LedgerPrivacy.published.previewFields("") == (nil, MerkleHash.sha256([]).hex), "an empty text has only its hash")
        #expect(!LedgerPrivacy.published.recorded(pseudonym.pseudonym(of: "alice"), names: "alice"), "without the key no pseudonym matches")

        let tx = try LedgerTransaction.make(artifactSHA256: MerkleHash.sha256([1]).hex, artifactSize: 1, submitter: hidden.recordedSubmitter("alice"),
                                            jobID: "job_1", preview: hidden.previewFields("x").preview,
                                            previewSHA256: hidden.previewFields("x").previewSHA256, timeMs: 1)
        #expect(tx.value["preview"] == nil && tx.value["previewSha256"] != nil)
    }
}
