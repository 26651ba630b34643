import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("ns-node over real HTTP")
struct LedgerNodeTests {
    func run(_ arguments: [String], env: [String: String] = [:]) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let outcome = try await NSCtlRunner.run(arguments, environment: env)
        return (outcome.status, outcome.stdout, outcome.stderr)
    }

    @Test("write routes need the internal token and JSON; bad transactions are 422 with pointers")
    func writeGuards() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        let body = CanonicalJSON.encode(LedgerDriver.txs(1)[0].value)
        let anonymous = try await Fetched.post(driver.url("/tx"), body: body)
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(anonymous.headers["content-type"] == "application/problem+json")
        #expect(try await Fetched.post(driver.url("/tx"), body: body, token: "wrong-token").status == 401)
        #expect(try await Fetched.post(driver.url("/blocks/produce"), body: body, token: "wrong-token").status == 401)
        #expect(try await Fetched.post(driver.url("/tx"), body: body, contentType: "text/plain", token: driver.token).status == 415)
        #expect(try await Fetched.post(driver.url("/tx"), body: Array("{".utf8), token: driver.token).status == 400)
        let unknownRule = try await Fetched.post(driver.url("/tx?dedupe=hash"), body: body, token: driver.token)
        #expect(unknownRule.status == 400 && unknownRule.body.contains("dedupe must be job"), "\(unknownRule.body)")

        var bad = LedgerDriver.txs(2).map(\.value)
        bad[1] = .object(bad[1].objectValue!.merging(["jobId": "no spaces allowed"]) { $1 })  // txs() builds objects
        let rejected = try await Fetched.post(driver.url("/tx"), body: CanonicalJSON.encode(.array(bad)), token: driver.token)
        #expect(rejected.status == 422)
        #expect(rejected.body.contains(#""pointer":"/1/jobId""#))
        #expect(try await Fetched.get(driver.url("/v1/mempool")).json?["total"] as? Int == 0, "nothing of a rejected batch is kept")

        // At most 65,535 canonical bytes (an entry bundle prefixes each entry by a 16-bit length); one more is a field error.
        for (bytes, status) in [(65_536, 422), (65_535, 200)] {
            var fields = LedgerDriver.txs(1, from: 70)[0].value.objectValue!  // txs() builds objects
            let base = CanonicalJSON.encode(.object(fields.merging(["sandbox": ["pad": ""]]) { $1 })).count
            fields["sandbox"] = ["pad": .string(String(repeating: "x", count: bytes - base))]
            let answer = try await Fetched.post(driver.url("/tx"), body: CanonicalJSON.encode(.object(fields)), token: driver.token)
            #expect(answer.status == status, "\(bytes) bytes: \(answer.body)")
            #expect(status == 200 || answer.body.contains(#""detail":"is 65536 bytes; the limit is 65535""#), "\(answer.body)")
        }
        #expect(await nsd.stop() == 0)
    }

    @Test("a full mempool answers 503 with Retry-After and keeps nothing of the batch")
    func fullMempool() async throws {
        let nsd = try await NSDInstance(roles: ["ns"], environment: ["MEMPOOL_MAX": "5"])
        let driver = try LedgerDriver(nsd)
        #expect(try await driver.submit(LedgerDriver.txs(4)).status == 200)
        let full = try await driver.submit(LedgerDriver.txs(2, from: 10))
        #expect(full.status == 503)
        #expect(full.headers["retry-after"] == "1")
        #expect(try await Fetched.get(driver.url("/v1/mempool")).json?["total"] as? Int == 4)
        #expect(await nsd.stop() == 0)
    }

    @Test("submit, produce, look up, prove: the read API and nsctl verify agree with the signed checkpoint")
    func pipeline() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        let txs = LedgerDriver.txs(20)
        let submitted = try await driver.submit(txs)
        #expect(submitted.status == 200)
        #expect(try await driver.submit(Array(txs.prefix(3))).status == 200)
        let mempool = try await Fetched.get(driver.url("/v1/mempool?limit=5"))
        #expect(mempool.json?["total"] as? Int == 20)
        #expect((mempool.json?["txs"] as? [Any])?.count == 5)

        #expect(try await driver.produce(Array(txs.prefix(12))).status == 201)
        let stale = try await driver.block(Array(txs.suffix(8)))
        #expect(try await driver.produce(Array(txs.suffix(8))).status == 201)
        let conflict = try await Fetched.post(driver.url("/blocks/produce"), body: stale, token: driver.token)
        #expect(conflict.status == 409)
        #expect(conflict.json?["check"] as? String == "height")
        let forged = try await driver.produce(LedgerDriver.txs(1, from: 50)) { $0.time += 1 }
        #expect(forged.status == 422)
        #expect(forged.json?["check"] as? String == "signature")
        var invalidBlock = try CanonicalJSON.decode(try await driver.block(LedgerDriver.txs(1, from: 60))).objectValue!  // block() encodes an object
        invalidBlock["txs"] = [["v": 1, "jobId": "x"]]
        let invalidTx = try await Fetched.post(driver.url("/blocks/produce"), body: CanonicalJSON.encode(.object(invalidBlock)), token: driver.token)
        #expect(invalidTx.status == 422)
        #expect(invalidTx.json?["check"] as? String == "tx")

        let tx = try await Fetched.get(driver.url("/v1/tx/\(txs[15].hash.hex)"))
        #expect(tx.json?["leafIndex"] as? Int == 15 && tx.json?["blockHeight"] as? Int == 2)
        let artifact = try await Fetched.get(driver.url("/v1/artifacts/\(txs[15].artifactSHA256)"))
        #expect(((artifact.json?["txs"] as? [[String: Any]])?.first?["txHash"] as? String) == txs[15].hash.hex)
        let note = try await Fetched.get(driver.url("/v1/checkpoint")).body
        let checkpoint = try Checkpoint.verify(note: note, name: LedgerSettingsOrigin.value, publicKey: try driver.checkpointKey)
        #expect(checkpoint.size == 20)
        // An independent implementation of the signed-note format (Python's cryptography) agrees.
        let noteFile = try Tools.temporaryDirectory("note") + "/checkpoint"
        try note.write(toFile: noteFile, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/verify_checkpoint.py").path
        let external = try Tools.run(try Tools.which("python3"), [script, noteFile, LedgerSettingsOrigin.value, try driver.checkpointKey.base64])
        #expect(external.status == 0, "\(external.output)")
        #expect(external.output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(LedgerSettingsOrigin.value) 20 \(checkpoint.root.hex)")
        let otherKey = try Tools.run(try Tools.which("python3"), [script, noteFile, LedgerSettingsOrigin.value, LedgerKey(generatingNamed: "x").publicKey.base64])
        #expect(otherKey.status == 1)
        let proof = try await Fetched.get(driver.url("/v1/proof/inclusion?leaf=\(txs[15].hash.hex)&size=20")).json
        let path = (proof?["proof"] as? [String] ?? []).compactMap(MerkleHash.init(hex:))
        #expect(MerkleVerifier.verifyInclusion(leaf: txs[15].leafHash, index: 15, size: 20, proof: path, root: checkpoint.root))
        let consistency = try await Fetched.get(driver.url("/v1/proof/consistency?from=12&to=20")).json
        #expect(consistency?["toRoot"] as? String == checkpoint.root.hex)
        #expect((try await Fetched.get(driver.url("/v1/validators")).json?["validators"] as? [Any])?.count == 1)

        for (path, status) in [("/v1/blocks/abc", 400), ("/v1/blocks/99", 404), ("/v1/tx/zz", 400), ("/v1/proof/inclusion?leaf=5&size=2", 400),
                               ("/v1/proof/inclusion?leaf=1&size=999", 400), ("/v1/proof/consistency?from=9&to=3", 400),
                               ("/v1/artifacts/\(String(repeating: "0", count: 64))", 404), ("/v1/mempool?limit=0", 400)] {
            let answer = try await Fetched.get(driver.url(path))
            #expect(answer.status == status, "\(path): \(answer.body)")
            #expect(answer.headers["content-type"] == "application/problem+json")
        }

        let nsURL = driver.url("")
        let online = try await run(["chain", "verify", "--ns-url", nsURL])
        #expect(online.status == 0, "\(online.stderr)")
        #expect(online.stdout.contains("chain verified to height 2 (20 transactions"))
        let offline = try await run(["chain", "verify", "--db", nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db", "--json"])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stdout.contains(#""height":2"#))

        let folder = try Tools.temporaryDirectory("artifact")
        try LedgerDriver.content(15).write(toFile: folder + "/a.txt", atomically: true, encoding: .utf8)
        let key = try driver.checkpointKey.base64
        let verified = try await run(["verify", folder + "/a.txt", "--ns-url", nsURL], env: ["NS_PUBLIC_KEY": key])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("transaction \(txs[15].hash.hex) in block 2, leaf 15 of the 20-leaf log"))
        try (LedgerDriver.content(15) + "changed").write(toFile: folder + "/b.txt", atomically: true, encoding: .utf8)
        let changed = try await run(["verify", folder + "/b.txt", "--ns-url", nsURL, "--ns-public-key", key])
        #expect(changed.status == 1 && changed.stderr.contains("no transaction anchors this file"))
        let wrongKey = try await run(["verify", folder + "/a.txt", "--ns-url", nsURL, "--ns-public-key", LedgerKey(generatingNamed: "x").publicKey.base64])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("does not verify with the pinned key"))
        #expect(await nsd.stop() == 0)
    }
}

/// The default checkpoint origin, which is also the checkpoint key's name.
enum LedgerSettingsOrigin {
    static let value = "neuroswarm.local/ledger"
}
