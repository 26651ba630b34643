import Foundation
import NSCore
import NSTestSupport
import Testing
@testable import NSNodes

/// The sandbox with real child processes, real rlimits and (where the host allows them) real
/// namespaces. Serialized: the fork-bomb test counts sandbox processes machine-wide.
@Suite("Code sandbox: hostile snippets are contained", .serialized)
struct CodeSandboxTests {
    /// This host (and CI) allows user namespaces; tests of directory mode make their own.
    static let isolation = SandboxIsolation(mode: .namespaces, separateUsers: geteuid() == 0, namespaceProblem: nil)
    static let python = SandboxRuntime(language: "python", executable: "/usr/bin/python3", arguments: ["-I", "-S"])
    static let shell = SandboxRuntime(language: "sh", executable: "/bin/sh")

    static func sandbox(timeout: Duration = .seconds(2), hidden: [String] = [], isolation: SandboxIsolation = isolation) -> CodeSandbox {
        CodeSandbox(runtimes: [python, shell], timeout: timeout, maxMemoryMB: 128, isolation: isolation, hiddenPaths: hidden)
    }

    /// Live processes (zombies waiting for the container's init to reap them do not count)
    /// running as any of the sandbox's uids (the default pool).
    static func sandboxProcesses() -> [String] {
        let first = UInt32(SandboxIsolationSetting.defaultUIDBase)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            var info = stat()
            guard entry.first?.isNumber == true, stat("/proc/\(entry)", &info) == 0, info.st_uid >= first, info.st_uid < first + 64,
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { return false }
            return !status.contains("State:\tZ")
        }
    }

    @Test("a well-behaved snippet runs in its own empty working directory; its output starts after the launcher's marker")
    func ordinarySnippet() async throws {
        let outcome = try await Self.sandbox().run("import os\nprint(6 * 7)\nprint(sorted(os.listdir('.')))\nprint(os.getcwd())\n", runtime: Self.python)
        #expect(outcome.exitCode == 0, "\(String(decoding: outcome.stderr.kept, as: UTF8.self))")
        let lines = String(decoding: outcome.stdout.kept, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == ["42", "['snippet']", "/tmp"])
        #expect(outcome.stdout.totalBytes == "42\n['snippet']\n/tmp\n".utf8.count)
        #expect(!outcome.timedOut && outcome.signal == nil)
        #expect(outcome.isolation == "namespaces")
        #expect(outcome.json["stdout"]?["sha256"]?.stringValue == MerkleHash.sha256(outcome.stdout.kept).hex)
    }

    @Test("an infinite loop is killed at the wall-clock limit")
    func infiniteLoop() async throws {
        let started = ContinuousClock.now
        let outcome = try await Self.sandbox(timeout: .seconds(1)).run("while True:\n    pass\n", runtime: Self.python)
        let elapsed = ContinuousClock.now - started
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.exitCode == nil)
        // Killed, not finished: the loop never ends on its own. The upper bound is loose because a
        // loaded test machine starts and reaps processes slowly; the kill itself is at 1 s.
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(15), "took \(elapsed)")
        #expect(outcome.durationMs >= 1000)
    }

    @Test("allocating 1 GiB fails inside the memory limit, without killing anything else")
    func largeAllocation() async throws {
        let outcome = try await Self.sandbox().run("x = bytearray(1 << 30)\nprint('allocated')\n", runtime: Self.python)
        #expect(!outcome.timedOut)
        #expect(outcome.exitCode == 1)
        #expect(String(decoding: outcome.stderr.kept, as: UTF8.self).contains("MemoryError"))
        #expect(!String(decoding: outcome.stdout.kept, as: UTF8.self).contains("allocated"))
    }

    @Test("a fork bomb is contained and leaves no process behind")
    func forkBomb() async throws {
        let outcome = try await Self.sandbox(timeout: .seconds(2)).run("bomb() { bomb | bomb & }; bomb\nsleep 10\n", runtime: Self.shell)
        #expect(outcome.durationMs < 15_000, "killed at the 2 s limit, loosely bounded for a loaded machine")
        // The kernel tears a PID namespace down asynchronously; give a loaded machine a few seconds.
        for _ in 0..<50 where !Self.sandboxProcesses().isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.sandboxProcesses() == [], "the bomb's processes are still running")
        // The sandbox still works afterwards.
        let next = try await Self.sandbox().run("echo alive\n", runtime: Self.shell)
        #expect(String(decoding: next.stdout.kept, as: UTF8.self) == "alive\n")
    }

    @Test("the daemon's environment is absent, and reading a secret's variable is refused before running")
    func secretsOutOfReach() async throws {
        setenv("NS_SANDBOX_CANARY", "canary-7d1f0c", 1)
        defer { unsetenv("NS_SANDBOX_CANARY") }
        let snippet = """
            import os
            print(sorted(os.environ))
            for pid in ('self', str(os.getppid()), '1'):
                try:
                    print(open('/proc/%s/environ' % pid, 'rb').read())
                except OSError as error:
                    print('denied', pid)
            """
        let outcome = try await Self.sandbox().run(snippet, runtime: Self.python)
        let output = String(decoding: outcome.stdout.kept, as: UTF8.self)
        #expect(outcome.exitCode == 0, "\(String(decoding: outcome.stderr.kept, as: UTF8.self))")
        #expect(!output.contains("canary-7d1f0c"))
        #expect(!output.contains("NS_SANDBOX_CANARY"))
        #expect(output.hasPrefix("['HOME', 'LANG', 'PATH', 'TMPDIR']"), "\(output)")

        await #expect(throws: CodeSandbox.Refusal.securityViolation("JWT_SECRET")) {
            try await Self.sandbox().run("import os\nprint(os.environ.get('JWT_SECRET'))\n", runtime: Self.python)
        }
        await #expect(throws: CodeSandbox.Refusal.securityViolation("DB_PASSWORD")) {
            try await Self.sandbox().run("echo ${DB_PASSWORD_FILE:-none}\n", runtime: Self.shell)
        }
    }

    @Test("writing outside the working directory is denied and reading the data directory shows nothing")
    func writesOutsideDenied() async throws {
        let data = try Tools.temporaryDirectory("sandbox-data")
        try Data("ledger".utf8).write(to: URL(fileURLWithPath: data + "/state"))
        let target = "/etc/nsd-sandbox-probe-\(UUID().uuidString)"
        let snippet = """
            import os
            for path in ['\(data)/state', '\(data)/new', '\(target)']:
                try:
                    with open(path, 'w') as f:
                        f.write('owned')
                    print('wrote', path)
                except OSError as error:
                    print('denied', path)
            try:
                print('listing', os.listdir('\(data)'))
            except OSError:
                print('listing denied')
            """
        let outcome = try await Self.sandbox(hidden: [data]).run(snippet, runtime: Self.python)
        let output = String(decoding: outcome.stdout.kept, as: UTF8.self)
        #expect(!output.contains("wrote"), "\(output)")
        #expect(try String(contentsOfFile: data + "/state", encoding: .utf8) == "ledger")
        #expect(!FileManager.default.fileExists(atPath: data + "/new"))
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(!output.contains("'state'"), "the data directory's files are visible: \(output)")
    }

    @Test("a network connection is refused where namespaces are active; health says which isolation is in force")
    func networkRefused() async throws {
        let listener = try TCPListener()
        defer { listener.close() }
        let snippet = """
            import socket
            try:
                socket.create_connection(('127.0.0.1', \(listener.port)), timeout=1).close()
                print('connected')
            except OSError as error:
                print('refused', error.errno)
            """
        let outcome = try await Self.sandbox().run(snippet, runtime: Self.python)
        let output = String(decoding: outcome.stdout.kept, as: UTF8.self)
        #expect(output.hasPrefix("refused"), "\(output)")
        #expect(outcome.isolation == "namespaces")
        #expect(Self.isolation.summary.contains("network namespaces (no network)"))
        // Directory mode cannot cut the network; its summary must say so.
        let directory = SandboxIsolation(mode: .directory, separateUsers: true, namespaceProblem: "off")
        #expect(directory.summary.contains("network, processes, the filesystem and the host's /tmp and /dev/shm (unbounded) are NOT isolated"))
    }

    @Test("an output flood is cut at 64 KiB per stream and counted")
    func outputFlood() async throws {
        let outcome = try await Self.sandbox(timeout: .seconds(2)).run("exec yes flooding-the-output\n", runtime: Self.shell)
        #expect(outcome.stdout.kept.count == CodeSandbox.captureLimit)
        #expect(outcome.stdout.totalBytes > CodeSandbox.captureLimit)
        #expect(outcome.stdout.truncated)
        let json = outcome.json
        #expect(json["stdout"]?["truncated"] == .bool(true))
        #expect(json["stdout"]?["excerpt"]?.stringValue?.count == SandboxOutcome.excerptCharacters)
    }

    @Test("a configured runtime that is not installed is a permanent refusal naming it")
    func missingRuntime() async throws {
        let ruby = SandboxRuntime(language: "ruby", executable: "/usr/bin/ruby-not-installed")
        await #expect(throws: CodeSandbox.Refusal.runtimeMissing(language: "ruby", executable: "/usr/bin/ruby-not-installed")) {
            try await Self.sandbox().run("puts 1", runtime: ruby)
        }
        #expect(Self.sandbox().runtime(for: ["kind": "code", "language": "python"]) == Self.python)
        #expect(Self.sandbox().runtime(for: ["kind": "text", "language": "python"]) == nil)
        #expect(Self.sandbox().runtime(for: ["kind": "code", "language": "cobol"]) == nil)
    }
}
