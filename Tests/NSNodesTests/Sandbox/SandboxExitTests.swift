import Foundation
import NSCore
import NSTestSupport
import Testing
@testable import NSNodes

/// The sandbox's wait for a snippet always ends: at the wall-clock limit even when a process
/// escaped the group kill, and at once when the job is cancelled at shutdown.
@Suite("Code sandbox: the wait for a snippet always ends", .serialized)
struct SandboxExitTests {
    static let shell = SandboxRuntime(language: "sh", executable: "/bin/sh")

    static func sandbox(timeout: Duration, isolation: SandboxIsolation = CodeSandboxTests.isolation) -> CodeSandbox {
        CodeSandbox(runtimes: [shell], timeout: timeout, maxMemoryMB: 128, isolation: isolation, hiddenPaths: [])
    }

    /// Kills the processes whose command line mentions `marker`, with their process groups
    /// (`setsid` made each a group leader, and its children share the group).
    static func kill(mentioning marker: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: line, as: UTF8.self).contains(marker) else { continue }
            Foundation.kill(-pid, SIGKILL)
            Foundation.kill(pid, SIGKILL)
        }
    }

    @Test("without namespaces, a process that left the group (setsid) does not hold the job past its limit")
    func escapedProcess() async throws {
        let rlimitsOnly = SandboxIsolation(mode: .directory, separateUsers: false, namespaceProblem: "off for this test")
        let marker = "escaped-\(UUID().uuidString.prefix(8))"
        defer { Self.kill(mentioning: marker) }
        let started = ContinuousClock.now
        let outcome = try await Self.sandbox(timeout: .seconds(1), isolation: rlimitsOnly).run(
            "/usr/bin/setsid /bin/sh -c 'sleep 20' \(marker) </dev/null >/dev/null 2>&1 &\necho started\n", runtime: Self.shell)
        let elapsed = ContinuousClock.now - started
        // The limit (1 s) plus the grace for the exit report (2 s), loosely bounded for a loaded
        // machine; the escaped process itself would hold the job for 20 s.
        #expect(elapsed < .seconds(12), "took \(elapsed)")
        #expect(outcome.timedOut, "its processes outlived the limit")
        #expect(outcome.signal == SIGKILL && outcome.exitCode == nil)
        #expect(String(decoding: outcome.stdout.kept, as: UTF8.self) == "started\n")
    }

    @Test("cancelling a running snippet (shutdown) kills it and throws CancellationError at once, without crashing")
    func cancelledRun() async throws {
        let run = Task { try await Self.sandbox(timeout: .seconds(60)).run("sleep 30\n", runtime: Self.shell) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        run.cancel()
        await #expect(throws: CancellationError.self) { _ = try await run.value }
        #expect(ContinuousClock.now - started < .seconds(10), "ended long before the snippet's 30 s sleep")
    }
}
