import Foundation
import NSTestSupport
import Testing

/// The README's quick start, run as written: `nsd run` with no configuration in an empty folder
/// (what `./scripts/start` ends with), then `nsctl submit file.txt --wait` and `nsctl verify
/// file.txt` in the same folder with nothing exported. It uses the default ports, as a new user
/// does, so nothing else may listen on 8080, 3009, 3002 or 3000 while it runs (the suite runs
/// its tests one at a time).
@Suite("the README's quick start works with no configuration")
struct QuickStartTests {
    /// Starts `nsd run` exactly as a new user would and waits until every node answers.
    static func startNSD(in folder: String) async throws -> ChildProcess {
        let nsd = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["run"], environment: NSDInstance.environment([:]), directory: folder)
        for _ in 0..<300 {
            var ready = true
            for port in [8080, 3009, 3002, 3000] {
                let answered = try? await Fetched.get("http://127.0.0.1:\(port)/health")
                ready = ready && answered?.status == 200
            }
            if ready { return nsd }
            guard nsd.isRunning else { throw ChildProcessError.notFound("a running nsd: it exited; stderr: \(nsd.stderr.suffix(2_000))") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ChildProcessError.notFound("nsd answering on the default ports within a minute: \(nsd.stderr.suffix(2_000))")
    }

    @Test("start, submit --wait, verify; a changed file fails; secrets survive a restart; errors say what to do")
    func quickStart() async throws {
        let folder = try Tools.temporaryDirectory("quick-start")
        try Data("hello ledger\n".utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))

        // Before nsd ever ran, nsctl names every place a secret can come from.
        let unconfigured = try await NSCtlRunner.run(["submit", "file.txt"], directory: folder)
        #expect(unconfigured.status == 78)
        #expect(unconfigured.stderr.contains("JWT_SECRET is not set") && unconfigured.stderr.contains("development nsd's data folder"), "\(unconfigured.stderr)")

        var nsd = try await Self.startNSD(in: folder)
        let secretFile = folder + "/data/jwt-secret"
        let attributes = try FileManager.default.attributesOfItem(atPath: secretFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let secret = try String(contentsOfFile: secretFile, encoding: .utf8)

        let submitted = try await NSCtlRunner.run(["submit", "file.txt", "--wait"], directory: folder)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("file.txt") && submitted.stdout.contains("committed"), "\(submitted.stdout)")
        // Said once (the progress of --wait follows on stderr too).
        #expect(submitted.stderr.hasPrefix("nsctl: using JWT_SECRET of the development nsd in ./data (./data/jwt-secret)\n"), "\(submitted.stderr)")
        #expect(submitted.stderr.components(separatedBy: "nsctl: using").count == 2, "\(submitted.stderr)")
        #expect(!submitted.stderr.contains(secret) && !submitted.stdout.contains(secret))

        let verified = try await NSCtlRunner.run(["verify", "file.txt"], directory: folder)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("verified file.txt: sha256 "), "\(verified.stdout)")
        #expect(verified.stderr.contains("pinning the checkpoint key of the development ns-node in ./data (./data/ns-node-data/checkpoint.key)"), "\(verified.stderr)")

        // The operator commands need no configuration either.
        let jobs = try await NSCtlRunner.run(["jobs", "list"], directory: folder)
        #expect(jobs.status == 0, "\(jobs.stderr)")
        #expect(jobs.stderr.contains("using ADMIN_JWT_SECRET of the development nsd in ./data (./data/admin-jwt-secret)"), "\(jobs.stderr)")
        let health = try await NSCtlRunner.run(["health"], directory: folder)
        #expect(health.status == 0, "\(health.stdout) \(health.stderr)")

        // nsctl's own settings saying production: nothing is taken from a development data folder.
        let production = try await NSCtlRunner.run(["verify", "file.txt"], environment: ["NODE_ENV": "production"], directory: folder)
        #expect(production.status == 2)
        #expect(production.stderr.contains("no pinned ns-node key"), "\(production.stderr)")

        // A token signed with another secret: the refusal says which secret was used and from where.
        let wrong = try await NSCtlRunner.run(["submit", "file.txt"], environment: ["JWT_SECRET": String(repeating: "7a", count: 32)], directory: folder)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("HTTP 401") && wrong.stderr.contains("the token sent was minted for nsctl from JWT_SECRET in environment"), "\(wrong.stderr)")

        // The same secrets after a restart: a second file goes through with no configuration either.
        #expect(await nsd.stop() == 0)
        nsd = try await Self.startNSD(in: folder)
        #expect(try String(contentsOfFile: secretFile, encoding: .utf8) == secret)
        try Data("second\n".utf8).write(to: URL(fileURLWithPath: folder + "/second.txt"))
        let again = try await NSCtlRunner.run(["submit", "second.txt", "--wait"], directory: folder)
        #expect(again.status == 0, "\(again.stderr)")

        // A changed file fails verification.
        try Data("hello ledger, edited\n".utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))
        let changed = try await NSCtlRunner.run(["verify", "file.txt"], directory: folder)
        #expect(changed.status != 0)
        #expect(!changed.stdout.contains("verified"), "\(changed.stdout)")

        // With nsd stopped, nsctl says what to do and exits EX_UNAVAILABLE.
        #expect(await nsd.stop() == 0)
        let down = try await NSCtlRunner.run(["submit", "second.txt"], directory: folder)
        #expect(down.status == 69)
        #expect(down.stderr.contains("cannot reach the gateway at http://localhost:8080 (connection refused): is nsd running? Start it with ./scripts/start"),
                "\(down.stderr)")
    }
}

extension ChildProcess {
    /// SIGTERM, then the exit status (nsd exits 0 on a clean shutdown).
    func stop() async -> Int32? {
        signal(SIGTERM)
        return await waitForExit(timeout: .seconds(30))
    }
}
