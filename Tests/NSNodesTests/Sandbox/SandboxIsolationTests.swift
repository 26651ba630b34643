import Foundation
import NSCore
import NSTestSupport
import Testing
@testable import NSNodes

/// Snippets share nothing with the host or with each other: the attacker's probes from the
/// hardening issue, run against both isolation modes with real processes and mounts.
@Suite("Code sandbox: jobs are shut off from the host and from each other", .serialized,
       .enabled(if: geteuid() == 0, "a uid per job, and the test's own mounts, need root, as CI runs"))
struct SandboxIsolationTests {
    static let python = CodeSandboxTests.python
    static let shell = CodeSandboxTests.shell
    /// Directory mode as a host without namespaces gets it (nsd as root: a uid per job).
    static let directory = SandboxIsolation(mode: .directory, separateUsers: geteuid() == 0, namespaceProblem: "off for this test")

    static func sandbox(_ isolation: SandboxIsolation, timeout: Duration = .seconds(8), hidden: [String] = []) -> CodeSandbox {
        CodeSandbox(runtimes: [python, shell], timeout: timeout, maxMemoryMB: 128, scratchMB: 16, isolation: isolation, hiddenPaths: hidden)
    }

    static func stdout(_ outcome: SandboxOutcome) -> String { String(decoding: outcome.stdout.kept, as: UTF8.self) }

    @Test("a job running beside another cannot change what the other anchors", arguments: [CodeSandboxTests.isolation, directory])
    func concurrentTampering(isolation: SandboxIsolation) async throws {
        let sandbox = Self.sandbox(isolation)
        let victim = Task {
            try await sandbox.run("import time\nopen('result.txt','w').write('honest')\ntime.sleep(4)\nprint(open('result.txt').read())\n", runtime: Self.python)
        }
        try await Task.sleep(for: .milliseconds(1_500))
        let attack = "for d in /tmp/nsd-sandbox-* /tmp /var/tmp /dev/shm; do echo tampered > \"$d/result.txt\" && echo \"wrote $d\"; done 2>/dev/null; true\n"
        let attacker = try await sandbox.run(attack, runtime: Self.shell)
        let outcome = try await victim.value
        #expect(Self.stdout(outcome) == "honest\n", "attacker: \(Self.stdout(attacker))")
    }

    @Test("what a job writes to /tmp, /var/tmp, /dev/shm and its working directory is gone for the next job and the host",
          arguments: [CodeSandboxTests.isolation, directory])
    func nothingSurvives(isolation: SandboxIsolation) async throws {
        let name = "nsd-leftover-\(UUID().uuidString.prefix(8))"
        let plant = "for d in /tmp /var/tmp /dev/shm .; do echo planted > \"$d/\(name)\"; done; ln -s /etc/passwd /tmp/sbx_symlink-\(name); ls /tmp/\(name)\n"
        let planted = try await Self.sandbox(isolation).run(plant, runtime: Self.shell)
        #expect(planted.exitCode == 0, "\(String(decoding: planted.stderr.kept, as: UTF8.self))")
        #expect(Self.stdout(planted).contains(name))
        let look = "for f in /tmp/\(name) /var/tmp/\(name) /dev/shm/\(name) ./\(name) /tmp/sbx_symlink-\(name); do if [ -e \"$f\" ] || [ -L \"$f\" ]; then echo \"found $f\"; fi; done\n"
        let next = try await Self.sandbox(isolation).run(look, runtime: Self.shell)
        #expect(next.exitCode == 0)
        #expect(Self.stdout(next) == "", "left over for the next job: \(Self.stdout(next))")
        for folder in ["/tmp", "/var/tmp", "/dev/shm"] {
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(name)"), "left on the host in \(folder)")
        }
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "/tmp/sbx_symlink-\(name)")) == nil, "the symlink is on the host")
    }

    @Test("a 1 GiB write to /dev/shm stops at the job's scratch limit; the rest of the filesystem is read-only")
    func scratchIsBounded() async throws {
        let snippet = """
            import os
            written = 0
            chunk = b'x' * (1 << 20)
            for n in range(1024):
                try:
                    with open('/dev/shm/fill-%d' % n, 'wb') as f:
                        f.write(chunk)
                    written += len(chunk)
                except OSError as error:
                    print('stopped', error.errno)
                    break
            print('written', written)
            for path in ('/etc/nsd-probe', '/var/lock/nsd-probe', '/usr/nsd-probe', '/run/lock/nsd-probe'):
                try:
                    open(path, 'w').write('x')
                    print('wrote', path)
                except OSError as error:
                    print('refused', error.errno)
            """
        let outcome = try await Self.sandbox(CodeSandboxTests.isolation, timeout: .seconds(20)).run(snippet, runtime: Self.python)
        let output = Self.stdout(outcome)
        #expect(outcome.exitCode == 0, "\(String(decoding: outcome.stderr.kept, as: UTF8.self))")
        #expect(output.contains("stopped \(ENOSPC)"), "\(output)")
        let written = output.split(separator: "\n").first { $0.hasPrefix("written ") }.flatMap { Int($0.dropFirst(8)) } ?? .max
        #expect(written <= 16 << 20, "wrote \(written) bytes into a 16 MiB scratch")
        #expect(!output.contains("wrote"), "\(output)")
    }

    @Test("a data folder inside a folder the job's user cannot enter does not stop the sandbox, and no host path reaches the outcome")
    func unreachableDataFolder() async throws {
        let outer = try Tools.closedDirectory("sandbox-outer")
        let data = outer + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        let outcome = try await Self.sandbox(CodeSandboxTests.isolation, hidden: [data]).run("print(6 * 7)\n", runtime: Self.python)
        #expect(outcome.exitCode == 0, "\(String(decoding: outcome.stderr.kept, as: UTF8.self))")
        #expect(Self.stdout(outcome) == "42\n")
        let anchored = String(decoding: CanonicalJSON.encode(outcome.json), as: UTF8.self)
        #expect(!anchored.contains(outer), "\(anchored)")
    }

    @Test("a sandbox that cannot start the snippet throws, never returns an outcome", arguments: [CodeSandboxTests.isolation, directory])
    func launchFailureIsNoOutcome(isolation: SandboxIsolation) async throws {
        // A runtime the job's user cannot reach: the launcher gives up before the snippet runs.
        let shell = try Tools.closedDirectory("sandbox-locked") + "/sh"
        try Tools.copyShell(to: shell)
        let runtime = SandboxRuntime(language: "locked", executable: shell)
        let sandbox = CodeSandbox(runtimes: [runtime], timeout: .seconds(5), maxMemoryMB: 128, isolation: isolation, hiddenPaths: [])
        await #expect(throws: SandboxLaunchFailure(reason: "\(shell) cannot be run inside the sandbox")) {
            try await sandbox.run("exit 0\n", runtime: runtime)
        }
        // A snippet that exits 125 itself is an outcome, not a launcher failure.
        let own = try await Self.sandbox(isolation).run("exit 125\n", runtime: Self.shell)
        #expect(own.exitCode == 125)
        let readiness = SandboxReadiness(sandbox: CodeSandbox(runtimes: [runtime, Self.shell], timeout: .seconds(5), maxMemoryMB: 128,
                                                              isolation: isolation, hiddenPaths: []))
        let report = await readiness.refresh()
        #expect(report.ready == ["sh"])
        #expect(report.failing["locked"]?.contains("cannot be run inside the sandbox") == true, "\(report)")
    }

    @Test("in directory mode, a process that left the job's group is killed before its uid is used again")
    func stragglersKilled() async throws {
        let marker = "straggler-\(UUID().uuidString.prefix(8))"
        defer { SandboxExitTests.kill(mentioning: marker) }
        let outcome = try await Self.sandbox(Self.directory, timeout: .seconds(1)).run(
            "/usr/bin/setsid /bin/sh -c 'sleep 20' \(marker) </dev/null >/dev/null 2>&1 &\necho started\n", runtime: Self.shell)
        #expect(Self.stdout(outcome) == "started\n")
        let survivors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard entry.first?.isNumber == true, let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { return false }
            return String(decoding: line, as: UTF8.self).contains(marker) && !status.contains("State:\tZ")
        }
        #expect(survivors == [], "the escaped process outlived its job")
    }

    @Test("host mounts with a space in their path, or behind a folder the job cannot enter, are handled: the first read-only, the second out of reach")
    func awkwardHostMounts() async throws {
        let tag = UUID().uuidString.prefix(8)
        let spaced = try Tmpfs(at: "/tmp/nsd mount \(tag)", size: "1m")
        defer { spaced.unmount() }
        #expect(chmod(spaced.path, 0o1777) == 0)
        let outer = try Tools.closedDirectory("sandbox-closed")
        let hidden = try Tmpfs(at: outer + "/inner", size: "1m")
        defer { hidden.unmount() }
        // The job's /tmp is its own tmpfs, so the spaced mount is tried through a second bind
        // of it outside /tmp; the launcher must still decode and remount the spaced one (or
        // fail the launch, which would throw here) and skip the one it cannot reach.
        let visible = "/var/tmp-nsd-\(tag)"
        try FileManager.default.createDirectory(atPath: visible, withIntermediateDirectories: false)
        defer { _ = try? Tools.run("/bin/umount", ["-l", visible]); try? FileManager.default.removeItem(atPath: visible) }
        #expect(try Tools.run("/bin/mount", ["--bind", spaced.path, visible]).status == 0)
        let snippet = "echo x > '\(visible)/probe' 2>/dev/null && echo wrote || echo refused\n"
        let outcome = try await Self.sandbox(CodeSandboxTests.isolation).run(snippet, runtime: Self.shell)
        #expect(Self.stdout(outcome) == "refused\n", "\(String(decoding: outcome.stderr.kept, as: UTF8.self))")
        #expect(!FileManager.default.fileExists(atPath: spaced.path + "/probe"))
    }

    @Test("System V shared memory a job creates is neither seen by the next job nor left on the host")
    func privateIPC() async throws {
        let created = try await Self.sandbox(CodeSandboxTests.isolation).run("ipcmk -M 4096 >/dev/null && ipcs -m | grep -c '^0x'\n", runtime: Self.shell)
        #expect(Self.stdout(created) == "1\n", "\(String(decoding: created.stderr.kept, as: UTF8.self))")
        let next = try await Self.sandbox(CodeSandboxTests.isolation).run("ipcs -m | grep -c '^0x'\n", runtime: Self.shell)
        #expect(Self.stdout(next) == "0\n")
        let host = try Tools.run("/usr/bin/ipcs", ["-m"])
        let owners = host.output.split(separator: "\n").filter { $0.hasPrefix("0x") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(!owners.contains { $0.count > 2 && $0[2].hasPrefix("19000000") }, "a sandbox uid's segment is on the host: \(host.output)")
    }

    @Test("the snippet holds no capability: it cannot unmount the covers or remount the filesystem writable, not even from a nested user namespace")
    func mountsCannotBeUndone() async throws {
        let data = try Tools.temporaryDirectory("sandbox-hidden")
        try Data("ledger".utf8).write(to: URL(fileURLWithPath: data + "/state"))
        let snippet = """
            grep CapEff /proc/self/status
            mount -o remount,rw,bind / 2>/dev/null && echo "remounted /"
            umount /dev/shm 2>/dev/null && echo "unmounted /dev/shm"
            umount /tmp 2>/dev/null && echo "unmounted /tmp"
            umount '\(data)' 2>/dev/null && echo "unmounted the data folder"
            echo x > /etc/nsd-probe 2>/dev/null && echo "wrote /etc"
            unshare --user --map-root-user --mount /bin/sh -c "umount '\(data)' 2>/dev/null; mount -o remount,rw,bind / 2>/dev/null; cat '\(data)/state' 2>/dev/null; echo x > /etc/nsd-probe 2>/dev/null && echo nested-wrote" 2>/dev/null
            ls '\(data)'
            true
            """
        let outcome = try await Self.sandbox(CodeSandboxTests.isolation, hidden: [data]).run(snippet, runtime: Self.shell)
        let output = Self.stdout(outcome)
        #expect(output.hasPrefix("CapEff:\t0000000000000000\n"), "\(output)")
        for escape in ["remounted", "unmounted", "wrote", "ledger", "state"] {
            #expect(!output.contains(escape), "\(escape): \(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/nsd-probe"))
    }

    @Test("where namespaces fail: root falls back to directory mode, nsd's own user is refused unless the operator accepts it")
    func placementDecision() throws {
        typealias Placement = CodeSandbox.Placement
        #expect(try CodeSandbox.placement(setting: .auto, namespaceProblem: nil, root: false) == Placement(mode: .namespaces, problem: nil, refusal: nil))
        #expect(try CodeSandbox.placement(setting: .auto, namespaceProblem: "unshare: EPERM", root: true)
            == Placement(mode: .directory, problem: "unshare: EPERM", refusal: nil))
        #expect(try CodeSandbox.placement(setting: .auto, namespaceProblem: "unshare: EPERM", root: false)
            == Placement(mode: .directory, problem: "unshare: EPERM", refusal: CodeSandbox.unprotectedRefusal))
        #expect(try CodeSandbox.placement(setting: .directory, namespaceProblem: nil, root: false)
            == Placement(mode: .directory, problem: "SANDBOX_ISOLATION=directory", refusal: nil))
        #expect(throws: ConfigurationError.self) { try CodeSandbox.placement(setting: .namespaces, namespaceProblem: "unshare: EPERM", root: false) }
    }

    @Test("a refused placement fails every snippet's attempt with the reason, and /health's proof with it")
    func refusedPlacement() async throws {
        let refused = CodeSandbox(runtimes: [Self.shell], timeout: .seconds(5), maxMemoryMB: 128, isolation: Self.directory, hiddenPaths: [],
                                  refusal: CodeSandbox.unprotectedRefusal)
        await #expect(throws: SandboxLaunchFailure(reason: CodeSandbox.unprotectedRefusal)) { try await refused.run("echo hi\n", runtime: Self.shell) }
        let report = await SandboxReadiness(sandbox: refused).refresh()
        #expect(report.ready.isEmpty && report.failing["sh"] == CodeSandbox.unprotectedRefusal)
    }

    @Test("a burst of /health checks runs one proof, not one each")
    func oneProofAtATime() async throws {
        let readiness = SandboxReadiness(sandbox: Self.sandbox(CodeSandboxTests.isolation))
        let reports = await withTaskGroup(of: SandboxReadiness.Report.self) { group in
            for _ in 0..<12 { group.addTask { await readiness.refresh() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.allSatisfy { $0 == reports[0] } && reports[0].ready == ["python", "sh"])
        #expect(await readiness.proofsRun < 12, "each caller ran its own proof")
    }
}
