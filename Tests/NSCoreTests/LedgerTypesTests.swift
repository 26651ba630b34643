import NSCore
import Testing

@Suite("transactions, block headers and checkpoints")
struct LedgerTypesTests {
    static let artifact = String(repeating: "ab", count: 32)

    static func tx(job: String = "job_1", preview: String = "hello") throws -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: artifact, artifactSize: 5, submitter: "user123", jobID: job,
                                   metadata: ["lang": "en", "n": 3, "ok": true], preview: preview, timeMs: 1_765_079_700_605)
    }

    @Test("a transaction's hash is SHA-256 of its canonical bytes, whatever the input spacing")
    func hashIsOfCanonicalBytes() throws {
        let tx = try Self.tx()
        #expect(tx.hash == MerkleHash.sha256(tx.canonical))
        #expect(tx.leafHash == MerkleTree.leafHash(tx.canonical))
        let spaced = String(decoding: tx.canonical, as: UTF8.self).replacingOccurrences(of: ",", with: " , ")
        #expect(try LedgerTransaction(bytes: Array(spaced.utf8)).hash == tx.hash)
        #expect(String(decoding: tx.canonical, as: UTF8.self).hasPrefix(#"{"artifact":{"sha256":""#))
    }

    @Test("each field rule names its pointer", arguments: [
        (["artifact": ["sha256": "ABC", "size": 1]], "/artifact/sha256"),
        (["artifact": ["sha256": .string(artifact), "size": -1]], "/artifact/size"),
        (["submitter": ""], "/submitter"),
        (["jobId": "has space"], "/jobId"),
        (["time": -1], "/time"),
        (["v": 2], "/v"),
        (["extra": 1], "/extra"),
        (["metadata": ["bad key": "x"]], "/metadata/bad key"),
        (["metadata": ["k": ["nested": 1]]], "/metadata/k"),
        (["sandbox": "text"], "/sandbox"),
        (["previewSha256": .string(artifact)], "/preview"),
    ] as [([String: JSONValue], String)])
    func fieldRules(changes: [String: JSONValue], pointer: String) throws {
        var fields = try Self.tx().value.objectValue!  // a valid transaction is an object
        fields.merge(changes) { $1 }
        #expect {
            _ = try LedgerTransaction(.object(fields), pointer: "")
        } throws: { error in
            (error as? TransactionError)?.pointer == pointer
        }
    }

    @Test("a canonical transaction of 65,535 bytes is accepted and one of 65,536 refused: an entry bundle prefixes each by a 16-bit length")
    func sizeLimit() throws {
        func sized(_ bytes: Int) throws -> JSONValue {
            let base = try LedgerTransaction.make(artifactSHA256: Self.artifact, artifactSize: 5, submitter: "user123", jobID: "job_1",
                                                  preview: "hello", sandbox: ["pad": ""], timeMs: 1_765_079_700_605)
            var fields = try #require(base.value.objectValue)
            fields["sandbox"] = ["pad": .string(String(repeating: "x", count: bytes - base.canonical.count))]
            return .object(fields)
        }
        #expect(LedgerTransaction.maxBytes == 65_535)
        #expect(try LedgerTransaction(try sized(65_535)).canonical.count == 65_535)
        #expect {
            _ = try LedgerTransaction(try sized(65_536), pointer: "/2")
        } throws: { error in
            (error as? TransactionError) == TransactionError(pointer: "/2", reason: "is 65536 bytes; the limit is 65535")
        }
    }

    @Test("a signed header verifies with its producer's key only, and any field change breaks it")
    func headerSignature() throws {
        let key = LedgerKey(generatingNamed: "vp")
        var header = BlockHeader(height: 1, prevHash: MerkleTree.emptyRoot, time: 10, txRoot: MerkleTree.emptyRoot, logSize: 1,
                                 logRoot: MerkleTree.emptyRoot, producer: key.publicKey.validatorID)
        header.sign(with: key)
        #expect(header.hasValidSignature(by: key.publicKey))
        #expect(!header.hasValidSignature(by: LedgerKey(generatingNamed: "other").publicKey))
        var moved = header
        moved.time = 11
        #expect(!moved.hasValidSignature(by: key.publicKey))
        #expect(try BlockHeader(json: header.json) == header)
        #expect(moved.hash != header.hash)
    }

    @Test("a checkpoint round-trips through the signed-note format and detects tampering")
    func checkpoint() throws {
        let key = LedgerKey(generatingNamed: "neuroswarm.test/ledger")
        let checkpoint = Checkpoint(origin: "neuroswarm.test/ledger", size: 8, root: MerkleTree.emptyRoot)
        let note = checkpoint.signed(with: key)
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "neuroswarm.test/ledger" && lines[1] == "8" && lines[2] == Substring(MerkleTree.emptyRoot.base64) && lines[3].isEmpty)
        #expect(lines[4].hasPrefix("— neuroswarm.test/ledger "))
        #expect(try Checkpoint.verify(note: note, name: key.name, publicKey: key.publicKey) == checkpoint)
        #expect(throws: CheckpointError.badSignature) {
            _ = try Checkpoint.verify(note: note.replacingOccurrences(of: "\n8\n", with: "\n9\n"), name: key.name, publicKey: key.publicKey)
        }
        #expect(throws: CheckpointError.self) {
            _ = try Checkpoint.verify(note: note, name: key.name, publicKey: LedgerKey(generatingNamed: key.name).publicKey)
        }
    }

    @Test("the key id follows the signed-note rule")
    func keyID() throws {
        let key = try LedgerKey(name: "example.com/log", seedBase64: Base64.encode([UInt8](repeating: 7, count: 32)))
        let expected = Array(MerkleHash.sha256(Array("example.com/log".utf8) + [0x0A, 0x01] + key.publicKey.raw).bytes.prefix(4))
        #expect(Checkpoint.keyID(name: "example.com/log", publicKey: key.publicKey) == expected)
        #expect(try LedgerKey(name: "x", seedBase64: key.exportSeed()).publicKey == key.publicKey)
    }

    @Test("genesis is deterministic and commits to the validator set")
    func genesis() {
        let a = Validator(name: "vp-1", publicKey: LedgerKey(generatingNamed: "a").publicKey)
        let b = Validator(name: "vp-2", publicKey: LedgerKey(generatingNamed: "b").publicKey)
        #expect(Genesis.header(validators: [a, b]) == Genesis.header(validators: [b, a]))
        #expect(Genesis.header(validators: [a]).hash != Genesis.header(validators: [a, b]).hash)
    }
}
