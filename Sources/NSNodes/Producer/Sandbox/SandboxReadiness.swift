import Foundation

/// Which configured runtimes the sandbox can run right now, proven by running an empty snippet
/// in each with the isolation it reports: at start-up (logged) and again for `/health` once the
/// last proof is older than ``maxAge``.
public actor SandboxReadiness {
    public struct Report: Sendable, Equatable {
        /// Languages whose empty snippet ran and exited 0.
        public var ready: [String]
        /// Languages that could not run, with why.
        public var failing: [String: String]

        /// `/health`'s detail: the isolation, then each runtime's state.
        func detail(isolation: SandboxIsolation) -> String {
            let runtimes = ready.map { "\($0) ok" } + failing.keys.sorted().map { "\($0) FAILING (\(failing[$0] ?? ""))" }
            return "\(isolation.summary); runtimes: \(runtimes.isEmpty ? "none configured" : runtimes.joined(separator: ", "))"
        }
    }

    /// How long a proof stands before `/health` runs the snippets again.
    public static let maxAge: Duration = .seconds(60)

    public let sandbox: CodeSandbox
    private var last: (report: Report, at: ContinuousClock.Instant)?
    /// The proof being run, which every caller in the meantime waits for: a burst of `/health`
    /// requests runs one set of snippets, not one each.
    private var running: Task<Report, Never>?
    /// How many proofs have run since start (tests check that callers share them).
    private(set) var proofsRun = 0

    public init(sandbox: CodeSandbox) {
        self.sandbox = sandbox
    }

    /// Runs the proof now (or joins the one running).
    @discardableResult
    public func refresh() async -> Report {
        if let running { return await running.value }
        let task = Task { [sandbox] in await Self.prove(sandbox) }
        running = task
        proofsRun += 1
        let report = await task.value
        last = (report, .now)
        running = nil
        return report
    }

    private static func prove(_ sandbox: CodeSandbox) async -> Report {
        var report = Report(ready: [], failing: [:])
        for runtime in sandbox.runtimes.values.sorted(by: { $0.language < $1.language }) {
            if let problem = await sandbox.problem(running: runtime) {
                report.failing[runtime.language] = problem
            } else {
                report.ready.append(runtime.language)
            }
        }
        return report
    }

    /// The last proof, run again when older than ``maxAge``.
    public func current() async -> Report {
        if let last, ContinuousClock.now - last.at < Self.maxAge { return last.report }
        return await refresh()
    }

    /// `/health`'s `sandbox` check: fails (the node answers 503) when no configured runtime can
    /// run; otherwise passes, and its detail names the isolation and any runtime that cannot.
    public nonisolated func check() -> DependencyCheck {
        DependencyCheck.reporting(name: "sandbox", probe: { _ in
            let report = await self.current()
            let detail = report.detail(isolation: self.sandbox.isolation)
            if report.ready.isEmpty && !report.failing.isEmpty { throw DependencyFailure("no runtime can run: \(detail)") }
            return detail
        })
    }
}
