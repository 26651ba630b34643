import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("the whole pipeline in one nsd")
struct PipelineTests {
    @Test("1,000 artifacts submitted over HTTP all commit; the chain verifies and every inclusion proof checks out")
    func thousandArtifacts() async throws {
        // Previews in the transactions, so the test can see that they are sanitised.
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "RATE_LIMIT_MAX_REQUESTS": "1000000", "LEDGER_PREVIEW": "text"])
        let token = ClientToken.make(sub: "loader")
        let gateway = nsd.url("gateway-node", "")
        var submitted: [(id: String, content: String)] = []
        for batch in 0..<10 {
            let contents = (0..<100).map { "artifact \(batch * 100 + $0): some text with <|im_start|> in it and \u{1}control" }
            let body = CanonicalJSON.encode(["items": .array(contents.map { ["content": .string($0)] })])
            let answer = try await Fetched.post(gateway + "/api/submit-batch", body: Array(body), token: token)
            #expect(answer.status == 202)
            let ids = ((answer.json?["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            submitted += zip(ids, contents).map { ($0, $1) }
        }
        #expect(submitted.count == 1_000)

        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        for _ in 0..<600 where try await queue.counts().total(.completed) < 1_000 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await queue.counts().total(.completed) == 1_000)

        var committed = 0
        for _ in 0..<100 {
            let last = try await Fetched.get(gateway + "/api/status/\(submitted[submitted.count - 1].id)", token: token)
            if (last.json?["ledger"] as? [String: Any])?["status"] as? String == "committed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for (id, content) in submitted {
            let status = try #require(try await Fetched.get(gateway + "/api/status/\(id)", token: token).json)
            let ledger = status["ledger"] as? [String: Any]
            guard ledger?["status"] as? String == "committed", let txHash = status["txHash"] as? String else { continue }
            let tx = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(txHash)")).json)
            let leaf = try #require(Base64.decode(tx["leaf"] as? String ?? ""))
            let body = try #require(tx["tx"] as? [String: Any])
            #expect((body["artifact"] as? [String: Any])?["sha256"] as? String == MerkleHash.sha256(Array(content.utf8)).hex)
            #expect((body["preview"] as? String)?.contains("<|im_start|>") == false, "the preview is sanitised")
            let proof = try #require(try await Fetched.get(gateway + "/api/status/\(id)/proof", token: token).json)
            let path = (proof["proof"] as? [String] ?? []).compactMap(MerkleHash.init(hex:))
            let verified = MerkleVerifier.verifyInclusion(
                leaf: MerkleTree.leafHash(leaf), index: UInt64(proof["leafIndex"] as? Int ?? -1), size: UInt64(proof["treeSize"] as? Int ?? 0),
                proof: path, root: MerkleHash(hex: proof["rootHash"] as? String ?? "") ?? MerkleTree.emptyRoot)
            if verified { committed += 1 }
        }
        #expect(committed == 1_000, "every artifact is in a block with a proof that verifies")
        let verify = try await NSCtlRunner.run(["chain", "verify", "--ns-url", nsd.url("ns-node", "")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(await nsd.stop() == 0)
    }
}

@Suite("the pipeline while ns-node is down")
struct PipelineOutageTests {
    @Test("with ns-node down, jobs go to retry with backoff; once it is back they commit without an operator")
    func retriesUntilNSNodeReturns() async throws {
        let data = try Tools.temporaryDirectory("pipeline-outage")
        let nsPort = try Tools.freePort()
        let front = try await NSDInstance(roles: ["gateway", "vp"], environment: [
            "JWT_SECRET": ClientToken.secret, "NS_NODE_URL": "http://127.0.0.1:\(nsPort)", "NS_CHECK_RETRIES": "0", "JOB_MAX_RETRIES": "10",
        ], dataDirectory: data)
        let token = ClientToken.make(sub: "alice")
        let id = try require(try await Fetched.submit(front.url("gateway-node", ""), token: token, content: "patience").json?["id"] as? String)
        let queue = try sharedQueue(data + "/vp-node-data/queue.db")
        #expect(try await NSCtlJobsTests.waitFor { (try await queue.job(id: id)?.errors.count ?? 0) >= 1 })
        let failed = try #require(try await queue.job(id: id))
        #expect(failed.state == .retry || failed.state == .processing)
        #expect(failed.errors.first?.message.contains("ns-node did not answer") == true)

        let ledger = try await NSDInstance(roles: ["ns"], dataDirectory: data, nsPort: nsPort)
        #expect(try await NSCtlJobsTests.waitFor {
            let status = try await Fetched.get(front.url("gateway-node", "/api/status/\(id)"), token: token)
            return (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        })
        #expect(try await queue.job(id: id)?.state == .completed)
        #expect(await front.stop() == 0)
        #expect(await ledger.stop() == 0)
    }
}
