import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("nsctl submit")
struct NSCtlSubmitTests {
    static func write(_ text: String, _ name: String, in folder: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("oversize, empty and non-UTF-8 files are refused before any request")
    func localChecks() async throws {
        let folder = try Tools.temporaryDirectory("nsctl-submit-local")
        let long = try Self.write(String(repeating: "é", count: 10_001), "long.txt", in: folder)
        let empty = try Self.write("", "empty.txt", in: folder)
        let binary = folder + "/binary.bin"
        FileManager.default.createFile(atPath: binary, contents: Data([0x66, 0x6f, 0xff, 0xfe]))
        let ok = try Self.write("fine", "ok.txt", in: folder)
        // Nothing listens at the gateway URL: a request would fail with "cannot reach".
        let environment = ["GATEWAY_URL": "http://127.0.0.1:\(try Tools.freePort())", "JWT_SECRET": ClientToken.secret]
        for (file, expected) in [(long, "has 10001 characters; the limit is 10000"), (empty, "is empty"), (binary, "is not valid UTF-8")] {
            let outcome = try await NSCtlRunner.run(["submit", ok, file], environment: environment, directory: folder)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains(expected), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("cannot reach"))
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test("one file or several (batched in chunks) print one id each; the same command again submits nothing new")
    func submitAndRepeat() async throws {
        // No vp-node, so the jobs stay queued where the test counts them.
        let nsd = try await NSDInstance(roles: ["gateway", "ns"], environment: ["JWT_SECRET": ClientToken.secret])
        let folder = try Tools.temporaryDirectory("nsctl-submit")
        let files = try (1...3).map { try Self.write("artifact number \($0)", "a\($0).txt", in: folder) }
        let environment = ["GATEWAY_URL": nsd.url("gateway-node", ""), "JWT_SECRET": ClientToken.secret, "MAX_BATCH_ITEMS": "2"]
        let single = try await NSCtlRunner.run(["submit", files[0], "--metadata", "lang=en", "--priority", "high"], environment: environment, directory: folder)
        #expect(single.status == 0, "\(single.stderr)")
        let singleID = try #require(single.stdout.split(separator: " ").first.map(String.init))
        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        let job = try #require(try await queue.job(id: singleID))
        #expect(job.priority == .high)
        #expect(ArtifactJob(payload: job.payload)?.metadata == ["lang": "en"])
        #expect(ArtifactJob(payload: job.payload)?.submitter == "nsctl")

        let batch = try await NSCtlRunner.run(["submit", "--json"] + files, environment: environment, directory: folder)
        #expect(batch.status == 0, "\(batch.stderr)")
        let ids = try #require(try JSONSerialization.jsonObject(with: Data(batch.stdout.utf8)) as? [[String: String]]).compactMap { $0["id"] }
        #expect(ids.count == 3 && Set(ids).count == 3)
        let again = try await NSCtlRunner.run(["submit", "--json"] + files, environment: environment, directory: folder)
        let idsAgain = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: String]]).compactMap { $0["id"] }
        #expect(idsAgain == ids, "idempotency keys make a rerun answer the same jobs")
        #expect(try await queue.counts().total(.queued) == 4)
        #expect(await nsd.stop() == 0)
    }

    @Test("--wait exits 0 with block height and tx hash once committed, 1 when a job is dead-lettered")
    func waitForBlocks() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret])
        let folder = try Tools.temporaryDirectory("nsctl-wait")
        let tokenFile = folder + "/token"
        try ClientToken.make(sub: "waiter").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let files = try (1...3).map { try Self.write("wait for my block \($0)", "w\($0).txt", in: folder) }
        // The whole pipeline: gateway, vp-node's workers and block producer, ns-node.
        let waited = try await NSCtlRunner.run(["submit", "--wait", "--token-file", tokenFile] + files,
                                               environment: ["GATEWAY_URL": nsd.url("gateway-node", "")], directory: folder)
        #expect(waited.status == 0, "\(waited.stdout)\(waited.stderr)")
        let lines = waited.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("  committed  block ") && $0.contains("  tx ") }, "\(waited.stdout)")
        #expect(await nsd.stop() == 0)

        // With ns-node unreachable and one attempt allowed, the job is dead-lettered with the reason.
        let lonely = try await NSDInstance(roles: ["gateway", "vp"], environment: [
            "JWT_SECRET": ClientToken.secret, "NS_NODE_URL": "http://127.0.0.1:\(try Tools.freePort())", "NS_CHECK_RETRIES": "0", "JOB_MAX_RETRIES": "1",
        ])
        let failed = try await NSCtlRunner.run(["submit", files[0], "--wait", "--token-file", tokenFile],
                                               environment: ["GATEWAY_URL": lonely.url("gateway-node", "")], directory: folder)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("dead_letter  ns-node did not answer"), "\(failed.stdout)")
        #expect(await lonely.stop() == 0)
    }

    static func leaseWhenQueued(_ queue: SQLiteJobQueue) async throws -> Job {
        for _ in 0..<300 {
            if let job = try await queue.lease(worker: "e2e", for: .seconds(60)) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ChildProcessError.notFound("a queued job within 30 s")
    }
}
