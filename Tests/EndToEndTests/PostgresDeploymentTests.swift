import Foundation
import NSCore
import NSTestSupport
import Synchronization
import Testing

/// ns-node's ledger on PostgreSQL (`DATABASE_URL`), with two ns-nodes over one database and the
/// other nodes listing both in `NS_NODE_URL`: one chain whichever node is asked, nothing
/// acknowledged lost when one ns-node is killed, and a clear refusal of a database nsd cannot use.
@Suite("the ledger on PostgreSQL: two ns-nodes over one database", .serialized)
struct PostgresDeploymentTests {
    @Test("artifacts commit through either ns-node, nsctl verifies them and the chain in the database, and kill -9 of one ns-node under load loses nothing",
          .timeLimit(.minutes(5)))
    func twoNSNodesOneDatabase() async throws {
        let server = try await PostgresServer()
        let database = "e2e_ledger"
        try server.createDatabase(database)
        let databaseURL = server.url(database: database) + "?sslmode=disable"
        let folder = try Tools.temporaryDirectory("postgres-deployment")
        let data = folder + "/data"
        try Data((databaseURL + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/database_url"))
        let environment = AuditAnchorTests.environment.merging(["DATABASE_URL_FILE": folder + "/database_url"]) { $1 }

        // The second ns-node starts once the first made the development keys in the shared data folder.
        let first = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let second = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let (nsA, nsB) = (first.url("ns-node", ""), second.url("ns-node", ""))
        #expect(!FileManager.default.fileExists(atPath: data + "/ns-node-data/neuroswarm_chain.db"), "no SQLite ledger is made beside the database")
        let front = try await NSDInstance(roles: ["gateway", "vp", "admin"], environment: environment.merging(["NS_NODE_URL": "\(nsA),\(nsB)"]) { $1 },
                                          directory: folder, dataDirectory: data)
        let gateway = front.url("gateway-node", "")
        let nsctlEnvironment = ["GATEWAY_URL": gateway, "NS_NODE_URL": "\(nsA),\(nsB)", "JWT_SECRET": ClientToken.secret]

        // /health names the primary the store check reached.
        let health = try await Fetched.get(nsB + "/health")
        #expect(health.status == 200, "\(health.body)")
        #expect(Self.storeCheck(health)?["detail"] as? String == "PostgreSQL primary 127.0.0.1:\(server.port)", "\(health.body)")

        // Artifacts through the gateway commit; nsctl verifies one, and the chain in the database.
        let token = ClientToken.make(sub: "alice")
        let first3 = try await Self.submit(gateway, token: token, contents: (0..<3).map { "postgres artifact \($0)" })
        #expect(try await Self.allCommitted(gateway, token: token, ids: first3.map(\.id)), "the first artifacts never committed")
        try Data("a file on postgres\n".utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))
        let submitted = try await NSCtlRunner.run(["submit", "file.txt", "--wait"], environment: nsctlEnvironment, directory: folder)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let verified = try await NSCtlRunner.run(["verify", "file.txt"], environment: nsctlEnvironment, directory: folder)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("verified file.txt: sha256 "), "\(verified.stdout)\(verified.stderr)")
        let chain = try await NSCtlRunner.run(["chain", "verify", "--database-url", databaseURL], directory: folder)
        #expect(chain.status == 0 && chain.stdout.hasPrefix("chain verified to height "), "\(chain.stdout)\(chain.stderr)")
        #expect(!chain.stderr.contains(server.password))

        // Every block is the same through both ns-nodes.
        let height = try await Self.latestHeight(nsA)
        #expect(height > 0)
        let blockA = try await Fetched.get(nsA + "/v1/blocks/\(height)")
        let blockB = try await Fetched.get(nsB + "/v1/blocks/\(height)")
        #expect(blockA.status == 200 && blockB.status == 200, "\(blockA.body) \(blockB.body)")
        #expect(blockA.json?["hash"] as? String != nil && blockA.json?["hash"] as? String == blockB.json?["hash"] as? String)

        // Steady submissions; the ns-node listed first is killed while they go on.
        let contents = (0..<40).map { "under load \($0)" }
        let load = Task { try await Self.submit(gateway, token: token, contents: contents, pause: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(700))
        first.child.signal(SIGKILL)
        _ = await first.child.waitForExit(timeout: .seconds(10))
        let accepted = try await load.value
        #expect(accepted.count == contents.count, "every submission was accepted (202)")
        #expect(try await Self.allCommitted(gateway, token: token, ids: accepted.map(\.id)), "an accepted artifact never committed after the kill")
        for artifact in accepted {
            let sha = MerkleHash.sha256(Array(artifact.content.utf8)).hex
            let anchored = try await Fetched.get(nsB + "/v1/artifacts/\(sha)")
            #expect((anchored.json?["txs"] as? [Any])?.count == 1, "\(artifact.content) is committed exactly once: \(anchored.body)")
        }
        let after = try await Self.latestHeight(nsB)
        #expect(after > height, "the surviving ns-node carried on appending")

        // The killed node, started again, serves the same chain and reports its height at once.
        let before = try await Self.latestHeight(nsB)
        let restarted = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let nsC = restarted.url("ns-node", "")
        let reported = try #require(try await AuditAnchorTests.metric(nsC, "ns_ledger_height"), "ns_ledger_height is reported before any block")
        let heightB = try await Self.latestHeight(nsB)
        let heightC = try await Self.latestHeight(nsC)
        #expect(Double(before) <= reported && reported <= Double(heightB), "height \(reported), the chain's \(before)")
        let logSize = try await AuditAnchorTests.metric(nsC, "ns_ledger_log_size") ?? 0
        #expect(logSize >= Double(accepted.count + first3.count))
        #expect(heightC >= before && heightC <= heightB + 1)
        let again = try await NSCtlRunner.run(["chain", "verify"], environment: ["DATABASE_URL_FILE": folder + "/database_url"], directory: folder)
        #expect(again.status == 0 && again.stdout.hasPrefix("chain verified to height "), "\(again.stdout)\(again.stderr)")

        // With the database gone, ns-node's /health is 503 and says why.
        await server.kill9()
        let down = try await Fetched.get(nsB + "/health")
        #expect(down.status == 503, "\(down.body)")
        #expect((Self.storeCheck(down)?["error"] as? String)?.hasPrefix("PostgreSQL unavailable") == true
                || Self.storeCheck(down)?["error"] as? String == "timed out after 3000 ms", "\(down.body)")
        #expect(!down.body.contains(server.password))

        #expect(await front.stop() == 0)
        #expect(await second.stop() == 0)
        #expect(await restarted.stop() == 0)
        await server.stop()
    }

    @Test("a DATABASE_URL nsd cannot use stops it with exit status 78 and one line naming the problem, never the password",
          .timeLimit(.minutes(2)))
    func unusableDatabase() async throws {
        let server = try await PostgresServer()
        let wrong = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        let badPassword = "postgres://postgres:\(wrong)@127.0.0.1:\(server.port)/postgres?sslmode=disable"
        let refused = try await Self.runNS(["DATABASE_URL": badPassword])
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("DATABASE_URL names a database whose ledger cannot be opened")
                && refused.stderr.contains("password authentication failed for user \"postgres\""), "\(refused.stderr)")
        #expect(!refused.stderr.contains(wrong) && !refused.stdout.contains(wrong))

        let malformed = try await Self.runNS(["DATABASE_URL": "mysql://root:\(wrong)@127.0.0.1/db"])
        #expect(malformed.status == 78)
        #expect(malformed.stderr.contains("configuration error: DATABASE_URL must start with postgres:// or postgresql://"), "\(malformed.stderr)")
        #expect(!malformed.stderr.contains(wrong))

        let file = try Tools.temporaryDirectory("database-url-file") + "/url"
        try Data(badPassword.utf8).write(to: URL(fileURLWithPath: file))
        let both = try await Self.runNS(["DATABASE_URL": badPassword, "DATABASE_URL_FILE": file])
        #expect(both.status == 78)
        #expect(both.stderr.contains("DATABASE_URL and DATABASE_URL_FILE are both set"), "\(both.stderr)")
        await server.stop()
    }

    /// The `store` check of a node's `/health` answer.
    static func storeCheck(_ health: Fetched) -> [String: Any]? {
        (health.json?["checks"] as? [String: Any])?["store"] as? [String: Any]
    }

    /// Runs an ns-node with `environment` until it exits.
    static func runNS(_ environment: [String: String]) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let nsd = try ChildProcess(executable: try NSDInstance.binary(),
                                   arguments: ["run", "--role", "ns", "--ns-port", "0", "--data-dir", try Tools.temporaryDirectory("bad-database")],
                                   environment: NSDInstance.environment(environment.merging(["DATABASE_TIMEOUT_MS": "2000"]) { $1 }))
        let status = await nsd.waitForExit(timeout: .seconds(30))
        return (status, nsd.stdoutLines.joined(separator: "\n"), nsd.stderr)
    }

    /// Submits each content through the gateway, one after another; every answer must be a 202.
    static func submit(_ gateway: String, token: String, contents: [String], pause: Duration = .zero) async throws -> [(id: String, content: String)] {
        var accepted: [(id: String, content: String)] = []
        for content in contents {
            let answer = try await Fetched.submit(gateway, token: token, content: content)
            guard answer.status == 202, let id = answer.json?["id"] as? String else { break }
            accepted.append((id, content))
            if pause > .zero { try await Task.sleep(for: pause) }
        }
        return accepted
    }

    /// Whether every job's ledger status becomes `committed` within `seconds`.
    static func allCommitted(_ gateway: String, token: String, ids: [String], seconds: Int = 30) async throws -> Bool {
        var waiting = Set(ids)
        for _ in 0..<(seconds * 10) {
            for id in waiting {
                let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token)
                if (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed" { waiting.remove(id) }
            }
            if waiting.isEmpty { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func latestHeight(_ node: String) async throws -> Int {
        try require((try await Fetched.get(node + "/v1/blocks/latest")).json?["height"] as? Int, "the latest block's height")
    }
}
