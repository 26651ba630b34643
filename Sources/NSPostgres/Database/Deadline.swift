import Synchronization

/// A database call that outlived its deadline. A dead host otherwise keeps a caller waiting for
/// the pool's circuit breaker (about 60 s).
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    let what: String

    var description: String { "\(what) got no answer within \(limit)" }
}

/// Runs `body` and returns its result, or throws ``DeadlineExceeded`` once `limit` has passed
/// without waiting for `body` any longer: a query stuck on a silent socket may not notice
/// cancellation, so `body` runs in its own task, is cancelled, and `onExpiry` runs (to close the
/// stuck connection). Cancelling the caller cancels `body` the same way.
func withDeadline<T: Sendable>(_ limit: Duration, _ what: String, onExpiry: @escaping @Sendable () -> Void = {},
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = Shared<CheckedContinuation<T, any Error>?>(nil)
    let finish: @Sendable (Result<T, any Error>) -> Bool = { result in
        guard let continuation = outcome.withLock({ current -> CheckedContinuation<T, any Error>? in
            defer { current = nil }
            return current
        }) else { return false }
        continuation.resume(with: result)
        return true
    }
    let tasks = Shared<(work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.withLock { $0 = continuation }
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                if finish(result) { tasks.withLock { $0.timer?.cancel() } }
            }
            let timer = Task {
                // Cancelled when body finished first: then there is nothing left to do.
                do { try await Task.sleep(for: limit) } catch { return }
                if finish(.failure(DeadlineExceeded(limit: limit, what: what))) {
                    work.cancel()
                    onExpiry()
                }
            }
            tasks.withLock { $0 = (work, timer) }
            if outcome.withLock({ $0 == nil }) { timer.cancel() }  // body finished before the timer was stored
        }
    } onCancel: {
        if finish(.failure(CancellationError())) {
            tasks.withLock { state in
                state.work?.cancel()
                state.timer?.cancel()
            }
            onExpiry()
        }
    }
}
