import Foundation
import Logging
import NSCore

/// Runs code artifacts (`"kind": "code"` with a configured `language`) in a child process shut
/// off from the daemon: see ``SandboxLaunch`` for the layers and ``SandboxIsolation`` for what a
/// host allows. The wall-clock limit kills the whole process group (and with it the PID
/// namespace); whatever the snippet writes is gone when it ends (see ``SandboxIsolation``).
public struct CodeSandbox: Sendable {
    /// Bytes of stdout and of stderr kept per run.
    public static let captureLimit = 64 * 1024

    /// Why a snippet was not run, or cannot be run whatever is retried.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case securityViolation(String)
        case runtimeMissing(language: String, executable: String)

        public var description: String {
            switch self {
            case .securityViolation(let name):
                "security violation: the snippet reads \(name), a secret's environment variable"
            case .runtimeMissing(let language, let executable):
                "runtime \(language) (\(executable)) is not installed on this vp-node; install it or remove it from SANDBOX_RUNTIMES"
            }
        }
    }

    public let runtimes: [String: SandboxRuntime]
    public let timeout: Duration
    public let maxMemoryMB: Int
    /// Size of each snippet's private tmpfs in namespace mode (`SANDBOX_SCRATCH_MB`).
    public let scratchMB: Int
    public let isolation: SandboxIsolation
    /// Covered with empty tmpfs mounts when namespaces are available.
    public let hiddenPaths: [String]
    /// The uids snippets run as, when ``SandboxIsolation/separateUsers``.
    let accounts: SandboxAccounts?
    /// Why no snippet may run at all on this host as configured (each attempt fails with it).
    public let refusal: String?

    /// `concurrency` is the most snippets that run at once (one uid each when nsd is root).
    public init(runtimes: [SandboxRuntime], timeout: Duration, maxMemoryMB: Int, scratchMB: Int = SandboxIsolationSetting.defaultScratchMB,
                isolation: SandboxIsolation, hiddenPaths: [String], uidBase: Int = SandboxIsolationSetting.defaultUIDBase, concurrency: Int = 16,
                refusal: String? = nil) {
        self.runtimes = Dictionary(runtimes.map { ($0.language, $0) }, uniquingKeysWith: { first, _ in first })
        self.timeout = timeout
        self.maxMemoryMB = maxMemoryMB
        self.scratchMB = scratchMB
        self.isolation = isolation
        self.hiddenPaths = hiddenPaths
        self.refusal = refusal
        // Room beyond the workers for /health's probes, which run beside them.
        self.accounts = isolation.separateUsers ? SandboxAccounts(base: UInt32(uidBase), size: concurrency + 8) : nil
    }

    /// The runtime for an artifact's metadata, or `nil` when it is not code for a configured language.
    public func runtime(for metadata: [String: JSONValue]) -> SandboxRuntime? {
        guard metadata["kind"]?.stringValue == "code", let language = metadata["language"]?.stringValue else { return nil }
        return runtimes[language]
    }

    /// Runs `snippet`; throws a ``Refusal`` for what must fail the job permanently, or a
    /// ``SandboxLaunchFailure`` (or another error) when the sandbox could not be put in place: a
    /// retryable fault of this vp-node, never an outcome.
    public func run(_ snippet: String, runtime: SandboxRuntime) async throws -> SandboxOutcome {
        if let name = SecretReferenceScan.environmentRead(in: snippet) { throw Refusal.securityViolation(name) }
        guard FileManager.default.isExecutableFile(atPath: runtime.executable) else {
            throw Refusal.runtimeMissing(language: runtime.language, executable: runtime.executable)
        }
        if let refusal { throw SandboxLaunchFailure(reason: refusal) }
        let uid = try accounts?.acquire()
        var directory: String?
        defer {
            // With a uid of its own the job's directory goes with the uid's clean-up, done as
            // that uid after its processes are killed; without, it is nsd's user's own folder.
            if let uid { accounts?.release(uid, mode: isolation.mode, directory: directory) } else if let directory { SandboxDirectory.remove(directory) }
        }
        if !isolation.namespaces { directory = try SandboxDirectory.create(owner: uid) }
        let launch = SandboxLaunch(isolation: isolation, hiddenPaths: hiddenPaths, limits: limits(), uid: uid)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SandboxLaunch.env)
        process.arguments = launch.arguments(runtime: [runtime.executable] + runtime.arguments, workingDirectory: directory ?? "/")
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? "/")
        process.standardInput = try SnippetInput.handle(for: snippet)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.yield(); exited.continuation.finish() }
        let started = ContinuousClock.now
        try process.run()
        // Our copies of the write ends must close, or the readers never see end of file; a
        // failed close leaves at most a reader waiting out its grace period.
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()
        let out = BoundedOutput(handle: stdout.fileHandleForReading, limit: Self.captureLimit, marker: SandboxLaunch.readyMarker)
        let err = BoundedOutput(handle: stderr.fileHandleForReading, limit: Self.captureLimit)
        // Foundation starts the child as the leader of its own process group: killing the
        // group reaches every process that did not leave it, and unshare's --kill-child takes
        // the PID namespace down with it.
        let group = process.processIdentifier
        let exit = Task { for await _ in exited.stream {} }
        let exitedInTime = await SandboxExit.wait(for: exit, atMost: timeout)
        kill(-group, SIGKILL)  // the snippet at its deadline or on cancellation, or stragglers still in the group
        // Shutdown: the job is abandoned (its lease expires and it is recovered), the snippet is dead.
        if Task.isCancelled { throw CancellationError() }
        // A process that left the group (setsid) escapes the kill where there are no namespaces
        // and holds back Foundation's report of the exit: wait a little, then report a kill.
        var reaped = exitedInTime
        if !reaped { reaped = await SandboxExit.wait(for: exit, atMost: Self.exitGrace) }
        let duration = ContinuousClock.now - started
        let captured = (stdout: await out.finish(grace: .milliseconds(500)), stderr: await err.finish(grace: .milliseconds(500)))
        guard out.markerSeen else {
            throw SandboxLaunchFailure(stderr: captured.stderr.kept, timedOut: !exitedInTime, status: reaped ? process.terminationStatus : nil)
        }
        // Foundation traps on reading the status of a process it has not reaped.
        let signal: Int32? = !reaped ? SIGKILL : process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return SandboxOutcome(
            language: runtime.language,
            exitCode: signal == nil ? process.terminationStatus : nil,
            signal: signal,
            timedOut: !exitedInTime,
            durationMs: Int64(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000),
            stdout: captured.stdout,
            stderr: captured.stderr,
            isolation: isolation.mode.rawValue,
            secretMentions: SecretReferenceScan.mentions(in: snippet))
    }

    /// How long a killed snippet's exit may take to be reported.
    static let exitGrace: Duration = .seconds(2)

    private func limits() -> SandboxLaunch.Limits {
        let seconds = Int((Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18).rounded(.up)) + 1
        return SandboxLaunch.Limits(cpuSeconds: seconds, memoryBytes: maxMemoryMB << 20, fileBytes: 1 << 20, openFiles: 64,
                                    processes: SandboxDirectory.processLimit(ownUser: isolation.separateUsers), scratchBytes: scratchMB << 20)
    }
}
