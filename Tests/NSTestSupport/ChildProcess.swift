import Foundation
import Synchronization

/// A real child process for tests: started with an explicit environment, its stdout and stderr
/// captured, signalled and awaited.
///
/// Spawned with `posix_spawn` and an empty signal mask: a child started from a Dispatch worker
/// thread (where Swift tests run) would otherwise inherit SIGTERM blocked and ignore it.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let output = OutputBuffer()
    private let reaped = Mutex<Int32?>(nil)

    public init(executable: String, arguments: [String], environment: [String: String], directory: String? = nil) throws {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw ChildProcessError.spawnFailed(executable, errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // A working directory is set through coreutils' `env -C`, which then execs the program.
        let command = directory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, command[0], &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw ChildProcessError.spawnFailed(executable, result)
        }
        pid = child
        Self.drain(outPipe[0], into: output, stderr: false)
        Self.drain(errPipe[0], into: output, stderr: true)
    }

    private static func drain(_ fd: Int32, into output: OutputBuffer, stderr: Bool) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                output.state.withLock { stderr ? ($0.stderr += text) : ($0.stdout += text) }
            }
            close(fd)
        }
    }

    public var stdout: String { output.state.withLock { $0.stdout } }
    public var stderr: String { output.state.withLock { $0.stderr } }

    /// Complete lines written to stdout so far.
    public var stdoutLines: [String] {
        stdout.split(separator: "\n").map(String.init)
    }

    public func signal(_ signal: Int32) {
        if reaped.withLock({ $0 == nil }) { kill(pid, signal) }
    }

    /// Whether the child still runs.
    public var isRunning: Bool { exitStatus() == nil }

    /// Waits for exit and returns the exit status (128 + n for a death by signal n), or `nil`
    /// after `timeout` (the process is then killed).
    public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatus() {
                // Let the readers drain what the process wrote last.
                try? await Task.sleep(for: .milliseconds(100))
                return status
            }
            if ContinuousClock.now >= deadline {
                signal(SIGKILL)
                while exitStatus() == nil { try? await Task.sleep(for: .milliseconds(10)) }
                return nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func exitStatus() -> Int32? {
        reaped.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            let signalled = status & 0x7F
            known = signalled == 0 ? (status >> 8) & 0xFF : 128 + signalled
            return known
        }
    }

    /// Polls stdout until `predicate` holds for the captured lines, or fails after `timeout`.
    public func waitForOutput(timeout: Duration = .seconds(30), _ predicate: ([String]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !predicate(stdoutLines) {
            guard ContinuousClock.now < deadline, isRunning else {
                throw ChildProcessError.timedOut(stdout: stdout, stderr: stderr)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        if exitStatus() == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

public enum ChildProcessError: Error, CustomStringConvertible {
    case timedOut(stdout: String, stderr: String)
    case notFound(String)
    case spawnFailed(String, Int32)

    public var description: String {
        switch self {
        case .timedOut(let stdout, let stderr): "timed out waiting for output\nstdout:\n\(stdout)\nstderr:\n\(stderr)"
        case .notFound(let what): "not found: \(what)"
        case .spawnFailed(let path, let code): "could not start \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// What a child wrote, shared with the reader threads.
final class OutputBuffer: Sendable {
    let state = Mutex<(stdout: String, stderr: String)>(("", ""))
}
