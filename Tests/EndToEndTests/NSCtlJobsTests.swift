import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("nsctl jobs and queue, through vp-node's operator API")
struct NSCtlJobsTests {
    static let adminSecret = String(repeating: "ad", count: 32)

    static func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<150 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("a job dead-lettered while ns-node is down is listed, shown, refused to a viewer, retried by an operator, and then commits")
    func deadLetterRetry() async throws {
        let data = try Tools.temporaryDirectory("nsctl-jobs")
        let nsPort = try Tools.freePort()
        let front = try await NSDInstance(roles: ["gateway", "vp"], environment: [
            "JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": Self.adminSecret, "NS_NODE_URL": "http://127.0.0.1:\(nsPort)",
            "NS_CHECK_RETRIES": "0", "JOB_MAX_RETRIES": "1",
        ], dataDirectory: data)
        let folder = try Tools.temporaryDirectory("nsctl-jobs-cwd")
        let env = ["VP_URL": front.url("vp-node", ""), "ADMIN_JWT_SECRET": Self.adminSecret]
        let accepted = try await Fetched.submit(front.url("gateway-node", ""), token: ClientToken.make(sub: "alice"), content: "retry me")
        let id = try require(accepted.json?["id"] as? String)
        let queue = try sharedQueue(data + "/vp-node-data/queue.db")
        #expect(try await Self.waitFor { try await queue.job(id: id)?.state == .deadLetter })

        let listed = try await NSCtlRunner.run(["jobs", "dlq", "list", "--role", "viewer"], environment: env, directory: folder)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(id) && listed.stdout.contains("dead_letter") && listed.stdout.contains("ns-node did not answer"), "\(listed.stdout)")
        let shown = try await NSCtlRunner.run(["jobs", "dlq", "show", id, "--role", "viewer", "--json"], environment: env, directory: folder)
        let errors = try #require(LogLine.parse(shown.stdout)?["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && (errors.first?["worker"] as? String)?.hasPrefix("vp-") == true)

        let viewerRetry = try await NSCtlRunner.run(["jobs", "dlq", "retry", id, "--role", "viewer"], environment: env, directory: folder)
        #expect(viewerRetry.status == 1)
        #expect(viewerRetry.stderr.contains("HTTP 403") && viewerRetry.stderr.contains("needs the operator role"))
        #expect(try await Fetched.get(front.url("vp-node", "/v1/dlq")).status == 401)

        // ns-node comes up where vp-node looks for it; the operator retries the job and it commits.
        let ledger = try await NSDInstance(roles: ["ns"], dataDirectory: data, nsPort: nsPort)
        let retried = try await NSCtlRunner.run(["jobs", "dlq", "retry", id], environment: env, directory: folder)
        #expect(retried.status == 0 && retried.stdout.contains("retried 1 job(s)"), "\(retried.stderr)")
        #expect(try await Self.waitFor {
            let status = try await Fetched.get(front.url("gateway-node", "/api/status/\(id)"), token: ClientToken.make(sub: "alice"))
            return (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        })
        let final = try await NSCtlRunner.run(["jobs", "status", id, "--json"], environment: env, directory: folder)
        #expect(LogLine.parse(final.stdout)?["state"] as? String == "completed")
        #expect((LogLine.parse(final.stdout)?["errors"] as? [Any])?.count == 1, "the failed attempt stays in the history")
        #expect(front.child.stdoutLines.contains { $0.contains("\"operator action\"") && $0.contains("\"dlq retry\"") && $0.contains("\"userId\":\"nsctl\"") })
        #expect(await front.stop() == 0)
        #expect(await ledger.stop() == 0)
    }

    @Test("pause keeps jobs queued for listing and cancelling; after resume the unusable ones are dead-lettered and purged with --yes")
    func listCancelPausePurge() async throws {
        let nsd = try await NSDInstance(environment: ["ADMIN_JWT_SECRET": Self.adminSecret])
        let folder = try Tools.temporaryDirectory("nsctl-queue")
        let env = ["VP_URL": nsd.url("vp-node", ""), "ADMIN_JWT_SECRET": Self.adminSecret]
        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        #expect(try await NSCtlRunner.run(["queue", "pause"], environment: env, directory: folder).status == 0)
        #expect(try await queue.isPaused())
        let ids = try await queue.enqueue(batch: (0..<3).map { NewJob(type: "artifact", payload: Array("j\($0)".utf8)) }).map(\.id)

        let listed = try await NSCtlRunner.run(["jobs", "list", "--state", "queued", "--json"], environment: env, directory: folder)
        let jobs = try #require(LogLine.parse(listed.stdout)?["jobs"] as? [[String: Any]])
        #expect(jobs.compactMap { $0["id"] as? String } == ids)
        #expect(try await NSCtlRunner.run(["jobs", "cancel", ids[0]], environment: env, directory: folder).status == 0)
        #expect(try await queue.job(id: ids[0])?.state == .cancelled)
        let twice = try await NSCtlRunner.run(["jobs", "cancel", ids[0]], environment: env, directory: folder)
        #expect(twice.status == 1 && twice.stderr.contains("only queued or retrying jobs"))

        #expect(try await NSCtlRunner.run(["queue", "resume"], environment: env, directory: folder).status == 0)
        // The payloads are not artifacts: the workers fail them permanently.
        #expect(try await Self.waitFor { try await queue.counts().total(.deadLetter) == 2 })
        let dead = try await NSCtlRunner.run(["jobs", "dlq", "list"], environment: env, directory: folder)
        #expect(dead.stdout.contains("the payload is not an artifact job"), "\(dead.stdout)")

        let unconfirmed = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all"], environment: env, directory: folder)
        #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("--yes"))
        #expect(try await queue.counts().total(.deadLetter) == 2)
        let purged = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all", "--yes"], environment: env, directory: folder)
        #expect(purged.status == 0 && purged.stdout.contains("purged 2 job(s)"))
        #expect(try await queue.job(id: ids[1]) == nil)
        let bad = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all", ids[1]], environment: env, directory: folder)
        #expect(bad.status == 64)
        #expect(await nsd.stop() == 0)
    }
}
