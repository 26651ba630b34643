import Foundation
import Synchronization
import NSCore

/// The body of `GET /health`: overall status, identity, uptime and one entry per dependency.
public struct HealthReport: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        /// `ok` or `fail`.
        public var status: String
        public var latencyMs: Double
        /// Why the check failed; absent when it passed.
        public var error: String?
        /// The check's detail, when it has one (fixed, or what its last probe found).
        public var detail: String?
    }

    /// `ok` when every check passed, `fail` otherwise.
    public var status: String
    public var service: String
    public var version: String
    public var uptimeSeconds: Double
    public var checks: [String: Check]
    /// Names of the failing checks, so a 503 says what to fix without reading every entry.
    public var failing: [String]?

    public var isHealthy: Bool { status == "ok" }
}

/// Runs a node's dependency checks concurrently, each under the same time limit.
public struct HealthChecker: Sendable {
    public let service: String
    public let checks: [DependencyCheck]
    public let timeout: Duration
    private let startedAt: ContinuousClock.Instant

    public init(service: String, checks: [DependencyCheck], timeout: Duration) {
        self.service = service
        self.checks = checks
        self.timeout = timeout
        self.startedAt = .now
    }

    public func report(requestID: String) async -> HealthReport {
        let results = await withTaskGroup(of: (String, HealthReport.Check).self) { group in
            for check in checks {
                group.addTask { (check.name, await run(check, requestID: requestID)) }
            }
            var results: [String: HealthReport.Check] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        let failing = results.filter { $0.value.status != "ok" }.map(\.key).sorted()
        return HealthReport(
            status: failing.isEmpty ? "ok" : "fail",
            service: service,
            version: NeuroSwarmVersion.current,
            uptimeSeconds: ((ContinuousClock.now - startedAt) / .milliseconds(1)).rounded() / 1000,
            checks: results,
            failing: failing.isEmpty ? nil : failing)
    }

    private func run(_ check: DependencyCheck, requestID: String) async -> HealthReport.Check {
        let start = ContinuousClock.now
        var failure: String?
        let found = FoundDetail()
        do {
            try await Self.withDeadline(timeout) { found.set(try await check.probe(requestID)) }
        } catch let error as DependencyFailure {
            failure = error.reason
        } catch {
            failure = "failed (\(type(of: error)))"
        }
        let latency = ((ContinuousClock.now - start) / .microseconds(1)).rounded() / 1000
        return .init(status: failure == nil ? "ok" : "fail", latencyMs: latency, error: failure, detail: found.value ?? check.detail)
    }

    /// Runs `body` but returns (throwing a timeout) once `limit` has passed, without waiting for
    /// `body` to notice its cancellation: a hung probe must not hold up the health answer.
    static func withDeadline(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        let outcome = FirstOutcome()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            outcome.install(continuation)
            let work = Task {
                do {
                    try await body()
                    outcome.resolve(.success(()))
                } catch {
                    outcome.resolve(.failure(error))
                }
            }
            Task {
                // Nothing cancels this timer; once the work has answered, its timeout is ignored.
                try? await Task.sleep(for: limit)
                outcome.resolve(.failure(DependencyFailure("timed out after \(Int(limit / .milliseconds(1))) ms")))
                work.cancel()
            }
        }
    }
}

/// Resumes a continuation with whichever result arrives first and ignores the rest.
private final class FirstOutcome: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, any Error>?, done: Bool)>((nil, false))

    func install(_ continuation: CheckedContinuation<Void, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func resolve(_ result: Result<Void, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}

/// The detail a probe returned, handed from the probe's task to the health answer.
private final class FoundDetail: Sendable {
    private let detail = Mutex<String?>(nil)

    func set(_ value: String?) {
        detail.withLock { $0 = value }
    }

    var value: String? { detail.withLock { $0 } }
}
