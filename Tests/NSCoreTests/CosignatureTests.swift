import NSCore
import Testing

/// cosignature/v1 (c2sp.org/tlog-cosignature) and the add-checkpoint body (c2sp.org/tlog-witness):
/// what a witness signs, what a log or client accepts, and what it refuses.
@Suite("Witness cosignatures and add-checkpoint bodies")
struct CosignatureTests {
    static let log = LedgerKey(generatingNamed: "example.com/log")
    static let witness = CosignerKey(name: "witness.example/w1", key: LedgerKey(generatingNamed: "w"))

    static func note(size: UInt64 = 5) -> String {
        Checkpoint(origin: log.name, size: size, root: MerkleHash.sha256(Array("root \(size)".utf8))).signed(with: log)
    }

    @Test("a cosignature line verifies with the witness's verifier and yields its timestamp; the log's own line is ignored")
    func roundTrip() throws {
        let note = Self.note()
        let body = Checkpoint(origin: Self.log.name, size: 5, root: MerkleHash.sha256(Array("root 5".utf8))).body
        let line = Self.witness.cosign(body: body, timestamp: 1_765_000_000)
        #expect(line.hasPrefix("— witness.example/w1 ") && line.hasSuffix("\n"))
        let blob = try #require(Base64.decode(String(line.dropFirst("— witness.example/w1 ".count).dropLast())))
        #expect(blob.count == 76)
        #expect(Array(blob.prefix(4)) == CosignatureV1.keyID(name: "witness.example/w1", publicKey: Self.witness.verifier.publicKey))
        #expect(try Self.witness.verifier.verifiedTimestamp(in: note + line) == 1_765_000_000)
        // Still a valid checkpoint for the log: the cosignature line is one more signature.
        #expect(try Checkpoint.verify(note: note + line, name: Self.log.name, publicKey: Self.log.publicKey).size == 5)
    }

    @Test("the timestamp is 8 big-endian bytes after the key id")
    func timestampEncoding() throws {
        let line = Self.witness.cosign(body: "a\n1\nb\n", timestamp: 0x0102_0304_0506_0708)
        let blob = try #require(Base64.decode(String(line.split(separator: " ")[2].dropLast())))
        #expect(Array(blob[4..<12]) == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test("a changed body, a changed timestamp or another key's line with the same name and id is a bad signature")
    func tampering() throws {
        let note = Self.note()
        let line = Self.witness.cosign(body: String(note.prefix(upTo: note.range(of: "\n\n")!.lowerBound)) + "\n", timestamp: 42)
        let otherBody = Self.note(size: 6)
        #expect(throws: CosignatureError.badSignature("witness.example/w1")) { try Self.witness.verifier.verifiedTimestamp(in: otherBody + line) }
        var blob = try #require(Base64.decode(String(line.split(separator: " ")[2].dropLast())))
        blob[11] ^= 1
        let restamped = "— witness.example/w1 \(Base64.encode(blob))\n"
        #expect(throws: CosignatureError.badSignature("witness.example/w1")) { try Self.witness.verifier.verifiedTimestamp(in: note + restamped) }
    }

    @Test("lines under another name or key id are ignored: no cosignature is missing, not bad")
    func unknownKeysIgnored() throws {
        let note = Self.note()
        let body = String(note.prefix(upTo: note.range(of: "\n\n")!.lowerBound)) + "\n"
        let stranger = CosignerKey(name: "witness.example/w1", key: LedgerKey(generatingNamed: "other"))
        let renamed = CosignerKey(name: "witness.example/w2", key: LedgerKey(generatingNamed: "w"))
        let lines = stranger.cosign(body: body, timestamp: 1) + renamed.cosign(body: body, timestamp: 1)
        #expect(throws: CosignatureError.missing("witness.example/w1")) { try Self.witness.verifier.verifiedTimestamp(in: note + lines) }
        #expect(try Self.witness.verifier.verifiedTimestamp(in: note + lines + Self.witness.cosign(body: body, timestamp: 7)) == 7)
    }

    @Test("a vkey round-trips, and one whose key id does not match its name and key is refused")
    func vkeys() throws {
        let vkey = Self.witness.verifier.vkey
        #expect(vkey.hasPrefix("witness.example/w1+\(Hex.encode(Self.witness.verifier.keyID))+"))
        #expect(CosignatureVerifier(vkey: vkey) == Self.witness.verifier)
        // Base64 keys often hold `+` themselves: 200 keys all without one has odds of about e^-130.
        let verifiers = (0..<200).map { CosignerKey(name: "w.example/\($0)", key: LedgerKey(generatingNamed: "k")).verifier }
        #expect(verifiers.contains { $0.vkey.split(separator: "+").count > 3 })
        #expect(verifiers.allSatisfy { CosignatureVerifier(vkey: $0.vkey) == $0 })
        let parts = vkey.split(separator: "+", maxSplits: 2).map(String.init)
        #expect(CosignatureVerifier(vkey: "witness.example/w2+\(parts[1])+\(parts[2])") == nil)
        let material = try #require(Base64.decode(parts[2]))
        #expect(CosignatureVerifier(vkey: "\(parts[0])+\(parts[1])+\(Base64.encode([0x01] + material.dropFirst()))") == nil)
        #expect(CosignatureVerifier(vkey: "no-plus-signs") == nil)
    }

    @Test("an add-checkpoint body round-trips")
    func requestRoundTrip() throws {
        let proof = (0..<3).map { MerkleHash.sha256([UInt8($0)]) }
        let request = AddCheckpointRequest(oldSize: 20852014, proof: proof, note: Self.note())
        let text = String(decoding: request.encoded, as: UTF8.self)
        #expect(text.hasPrefix("old 20852014\n\(proof[0].base64)\n\(proof[1].base64)\n\(proof[2].base64)\n\n\(Self.log.name)\n"))
        #expect(try AddCheckpointRequest.parse(request.encoded) == request)
        #expect(try AddCheckpointRequest.parse(AddCheckpointRequest(oldSize: 0, proof: [], note: Self.note()).encoded).proof.isEmpty)
    }

    static let malformedBodies: [(String, String)] = [
        ("old 5\nexample.com/log\n5\n", "no blank line"),
        ("old 05\n\nnote", "old <size>"),
        ("new 5\n\nnote", "old <size>"),
        ("old -1\n\nnote", "old <size>"),
        ("old 5\nnot base64!\n\nnote", "line 1"),
        ("old 5\n\(Base64.encode([1, 2, 3]))\n\nnote", "line 1"),
        ("old 5\n" + String(repeating: MerkleTree.emptyRoot.base64 + "\n", count: 64) + "\nnote", "more than 63"),
    ]

    @Test("malformed bodies are refused, naming the part", arguments: malformedBodies)
    func malformed(_ body: String, _ named: String) {
        #expect {
            try AddCheckpointRequest.parse(Array(body.utf8))
        } throws: { error in
            (error as? AddCheckpointRequest.Malformed)?.reason.contains(named) == true
        }
    }
}
