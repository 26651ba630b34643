import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("the split deployment: six nsd processes and one Redis, as in compose, without Docker")
struct SplitDeploymentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A base port whose seven ports (see scripts/split-deployment) are free now.
    static func freeBase() throws -> Int {
        try Tools.freePortBlock(offsets: [0, 2, 9, 12, 79, 80, 81])
    }

    static func script(_ arguments: [String], environment: [String: String] = [:]) async throws -> NSCtlRunner.Outcome {
        let nsd = try NSDInstance.binary()
        let child = try ChildProcess(executable: root + "/scripts/split-deployment", arguments: arguments,
                                     environment: NSDInstance.environment(environment.merging(["NSD": nsd, "NSCTL": try NSDInstance.nsctl()]) { $1 }),
                                     directory: root)
        let status = await child.waitForExit(timeout: .seconds(120))
        return NSCtlRunner.Outcome(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    @Test("artifacts sent to either gateway commit, both vp-nodes take work, and one rate limit holds across both gateways")
    func splitDeployment() async throws {
        let directory = try Tools.temporaryDirectory("split")
        let base = try Self.freeBase()
        // Leases of at most two jobs: one vp-node's ten workers then hold at most twenty of the
        // thirty slow jobs below, so the other vp-node must take some.
        let up = try await Self.script(["up", directory, "--base-port", String(base)],
                                       environment: ["RATE_LIMIT_MAX_REQUESTS": "120", "JOB_LEASE_BATCH": "2"])
        try #require(up.status == 0, "\(up.stdout)\(up.stderr)")
        do {
            let env = try String(contentsOfFile: directory + "/.env", encoding: .utf8)
            #expect(env.contains("NODE_ENV=production"), "configured by nsctl secrets gen")
            let secret = try #require(env.split(separator: "\n").first { $0.hasPrefix("JWT_SECRET=") }.map { String($0.dropFirst("JWT_SECRET=".count)) })
            let token = ClientToken.make(sub: "split-client", secret: secret)
            let gateways = ["http://127.0.0.1:\(base + 80)", "http://127.0.0.1:\(base + 81)"]

            var contents: [String] = []
            for index in 0..<40 {
                let content = "split deployment artifact \(index)"
                let answer = try await Fetched.submit(gateways[index % 2], token: token, content: content)
                #expect(answer.status == 202, "submit \(index) to \(gateways[index % 2]): \(answer.status) \(answer.body)")
                contents.append(content)
            }
            // Thirty code artifacts that each take a second in the sandbox: more than one vp-node's
            // ten workers can hold at once (leases of two), so both vp-nodes must take work
            // whatever their timing.
            for index in 0..<30 {
                let content = "sleep 1 # slow job \(index)"
                let body = CanonicalJSON.encode(["content": .string(content), "metadata": ["kind": "code", "language": "sh"]])
                let answer = try await Fetched.post(gateways[index % 2] + "/api/submit", body: Array(body), token: token)
                #expect(answer.status == 202, "slow job \(index): \(answer.status) \(answer.body)")
                contents.append(content)
            }
            // Every artifact is anchored: ns-node finds its transaction, in a block.
            var committed = 0
            for _ in 0..<150 {
                committed = 0
                for content in contents {
                    let sha = MerkleHash.sha256(Array(content.utf8)).hex
                    let found = try await Fetched.get("http://127.0.0.1:\(base + 9)/v1/artifacts/\(sha)")
                    if found.status == 200, ((found.json?["txs"] as? [[String: Any]])?.first?["blockHeight"] as? Int) != nil { committed += 1 }
                }
                if committed == contents.count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(committed == 70, "committed \(committed) of 70")
            // Both vp-nodes completed jobs.
            for port in [base + 2, base + 12] {
                let metrics = try await Fetched.get("http://127.0.0.1:\(port)/metrics").body
                let line = metrics.split(separator: "\n").first { $0.hasPrefix("ns_jobs_completed_total{type=\"artifact\"}") }
                let completed = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
                #expect(completed >= 1, "vp-node on \(port) took no work: \(line ?? "no metric")")
            }
            // One limit across both gateways: 120 requests in the window from this client, wherever they land.
            var accepted = 70
            var firstRefusal: Fetched?
            for index in 0..<200 where firstRefusal == nil {
                let answer = try await Fetched.submit(gateways[index % 2], token: token, content: "over the limit \(index)")
                if answer.status == 202 { accepted += 1 } else { firstRefusal = answer }
            }
            let refusal = try #require(firstRefusal)
            #expect(refusal.status == 429 && refusal.headers["retry-after"] != nil)
            #expect(accepted == 120, "accepted \(accepted) across both gateways")
            for gateway in gateways {
                #expect(try await Fetched.submit(gateway, token: token, content: "still limited").status == 429)
            }
            let admin = try await Fetched.get("http://127.0.0.1:\(base)/health")
            #expect(admin.status == 200)
        } catch {
            _ = try? await Self.script(["down", directory])
            throw error
        }
        let pids = try String(contentsOfFile: directory + "/pids", encoding: .utf8).split(separator: "\n").compactMap { Int32($0.split(separator: " ").last ?? "") }
        #expect(pids.count == 7, "redis and six nsd processes")
        let down = try await Self.script(["down", directory])
        #expect(down.status == 0 && down.stdout.contains("stopped"), "\(down.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/pids"))
        // A zombie has exited: these processes belong to init once `up` returns, and it reaps when it will.
        let alive = pids.compactMap { pid -> String? in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            return state == "Z" ? nil : stat
        }
        #expect(alive.isEmpty, "every process of the deployment has exited; still there: \(alive)")
        #expect(!down.stderr.contains("did not stop"), "each node stopped on SIGTERM: \(down.stderr)")
    }

    @Test("--postgres: two ns-nodes share one ledger in PostgreSQL; artifacts sent to either gateway are served by both ns-nodes")
    func splitDeploymentOnPostgres() async throws {
        let directory = try Tools.temporaryDirectory("split-pg")
        let base = try Tools.freePortBlock(offsets: [0, 2, 9, 12, 19, 32, 79, 80, 81])
        let up = try await Self.script(["up", directory, "--base-port", String(base), "--postgres"])
        try #require(up.status == 0, "\(up.stdout)\(up.stderr)")
        let pids: [Int32]
        do {
            let urlFile = directory + "/database_url"
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: urlFile)[.posixPermissions] as? Int)
            #expect(mode & 0o777 == 0o600)
            let password = try #require(try String(contentsOfFile: urlFile, encoding: .utf8).split(separator: ":").dropFirst(2).first?.split(separator: "@").first)
            pids = try String(contentsOfFile: directory + "/pids", encoding: .utf8).split(separator: "\n").compactMap { Int32($0.split(separator: " ").last ?? "") }
            #expect(pids.count == 8, "redis and seven nsd processes")
            for pid in pids {
                let commandLine = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                #expect(!commandLine.contains(String(password)), "the database password is on the command line of \(pid)")
            }
            let env = try String(contentsOfFile: directory + "/.env", encoding: .utf8)
            let secret = try #require(env.split(separator: "\n").first { $0.hasPrefix("JWT_SECRET=") }.map { String($0.dropFirst("JWT_SECRET=".count)) })
            let token = ClientToken.make(sub: "split-client", secret: secret)
            let gateways = ["http://127.0.0.1:\(base + 80)", "http://127.0.0.1:\(base + 81)"]
            let contents = (0..<20).map { "split deployment on PostgreSQL \($0)" }
            for (index, content) in contents.enumerated() {
                let answer = try await Fetched.submit(gateways[index % 2], token: token, content: content)
                #expect(answer.status == 202, "submit \(index): \(answer.status) \(answer.body)")
            }
            // Both ns-nodes read the one ledger: each finds every artifact in a block.
            for port in [base + 9, base + 19] {
                var committed = 0
                for _ in 0..<150 {
                    committed = 0
                    for content in contents {
                        let found = try await Fetched.get("http://127.0.0.1:\(port)/v1/artifacts/\(MerkleHash.sha256(Array(content.utf8)).hex)")
                        if found.status == 200, ((found.json?["txs"] as? [[String: Any]])?.first?["blockHeight"] as? Int) != nil { committed += 1 }
                    }
                    if committed == contents.count { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(committed == contents.count, "ns-node on \(port) serves \(committed) of \(contents.count)")
            }
        } catch {
            _ = try? await Self.script(["down", directory])
            throw error
        }
        let down = try await Self.script(["down", directory])
        #expect(down.status == 0 && down.stdout.contains("stopped"), "\(down.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/postgres/data/postmaster.pid"), "PostgreSQL stopped")
        #expect(!Tools.canConnect(port: base + 32))
    }
}
