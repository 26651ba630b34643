import Synchronization

/// Waiting for a snippet's exit with a bound, without the wait depending on the exit ever coming.
///
/// Foundation reports a child's exit only once every process holding its exit-notification
/// descriptor has gone, so a snippet process that escaped the group kill can hold the report
/// back indefinitely. A task group would not do here: it waits for all its children, and the
/// child awaiting the exit does not end on cancellation. Instead whichever comes first (the exit,
/// the bound, or cancellation of the waiting task) answers, and the exit watch is left to finish
/// on its own.
enum SandboxExit {
    /// Whether `exit` finished within `bound`; `false` at once when the waiting task is cancelled.
    static func wait(for exit: Task<Void, Never>, atMost bound: Duration) async -> Bool {
        let race = Race()
        let sleeper = Task {
            // Cancelled only once the race is answered, so the `false` it then gives is ignored.
            try? await Task.sleep(for: bound)
            race.answer(false)
        }
        Task {
            await exit.value
            race.answer(true)
        }
        let finished = await withTaskCancellationHandler {
            await withCheckedContinuation { race.install($0) }
        } onCancel: {
            race.answer(false)
        }
        sleeper.cancel()
        return finished
    }

    /// The first answer wins; the continuation is resumed exactly once, whichever of answer and
    /// install comes first.
    private final class Race: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Bool, Never>?
            var answer: Bool?
        }

        private let state = Mutex(State())

        func install(_ continuation: CheckedContinuation<Bool, Never>) {
            let ready = state.withLock { state -> Bool? in
                if state.answer == nil { state.continuation = continuation }
                return state.answer
            }
            if let ready { continuation.resume(returning: ready) }
        }

        func answer(_ value: Bool) {
            let waiting = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard state.answer == nil else { return nil }
                state.answer = value
                defer { state.continuation = nil }
                return state.continuation
            }
            waiting?.resume(returning: value)
        }
    }
}
