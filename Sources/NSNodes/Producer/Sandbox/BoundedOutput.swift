import Foundation
import Synchronization

/// Drains a pipe on a dedicated thread (never the concurrency pool: the read blocks), keeping
/// the first `limit` bytes and counting the rest, so a snippet that floods its output neither
/// fills memory nor blocks on a full pipe.
final class BoundedOutput: Sendable {
    private let state = Mutex<(kept: [UInt8], total: Int, done: Bool)>(([], 0, false))
    private let limit: Int
    private let handle: FileHandle

    init(handle: FileHandle, limit: Int) {
        self.handle = handle
        self.limit = limit
        let thread = Thread { [self] in drain() }
        thread.name = "sandbox-output"
        thread.start()
    }

    private func drain() {
        while let chunk = try? handle.read(upToCount: 16_384), !chunk.isEmpty {
            state.withLock { state in
                let room = max(0, limit - state.kept.count)
                state.kept += chunk.prefix(room)
                state.total += chunk.count
            }
        }
        state.withLock { $0.done = true }
    }

    /// Waits up to `grace` for the writer side to close (every process holding it exited), then
    /// returns what was captured. A descendant that escaped the kill and keeps the pipe open
    /// does not hold the job up past `grace`.
    func finish(grace: Duration) async -> CapturedOutput {
        let deadline = ContinuousClock.now + grace
        while !state.withLock({ $0.done }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return state.withLock { CapturedOutput(kept: $0.kept, totalBytes: $0.total) }
    }
}
