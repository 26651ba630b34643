import Foundation
import Synchronization

/// Drains a pipe on a dedicated thread (never the concurrency pool: the read blocks), keeping
/// the first `limit` bytes and counting the rest, so a snippet that floods its output neither
/// fills memory nor blocks on a full pipe.
///
/// With a `marker`, the stream is expected to start with it: the marker is not kept or counted,
/// and ``markerSeen`` says whether it came (stdout starts with the launcher's
/// ready marker only once the sandbox is in place).
final class BoundedOutput: Sendable {
    private struct State {
        var kept: [UInt8] = []
        var total = 0
        var done = false
        /// How many bytes of the marker have matched so far; `nil` once it is decided.
        var markerMatched: Int? = 0
        var markerSeen = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let marker: [UInt8]
    private let handle: FileHandle

    init(handle: FileHandle, limit: Int, marker: [UInt8] = []) {
        self.handle = handle
        self.limit = limit
        self.marker = marker
        let thread = Thread { [self] in drain() }
        thread.name = "sandbox-output"
        thread.start()
    }

    private func drain() {
        // A read error ends the stream like end of file: what was captured is all there is.
        while let chunk = try? handle.read(upToCount: 16_384), !chunk.isEmpty {
            state.withLock { state in
                var bytes = chunk[...]
                if let matched = state.markerMatched {
                    let wanted = marker[matched...]
                    let common = zip(wanted, bytes).prefix { $0 == $1 }.count
                    if common == wanted.count {
                        state.markerMatched = nil
                        state.markerSeen = true
                        bytes = bytes.dropFirst(common)
                    } else if common == bytes.count {
                        state.markerMatched = matched + common
                        return
                    } else {
                        // Not the marker: what matched so far was ordinary output.
                        state.markerMatched = nil
                        bytes = Data(marker[..<matched]) + bytes
                    }
                }
                let room = max(0, limit - state.kept.count)
                state.kept += bytes.prefix(room)
                state.total += bytes.count
            }
        }
        state.withLock { state in
            if let matched = state.markerMatched, matched > 0 {
                state.kept += marker[..<matched].prefix(max(0, limit - state.kept.count))
                state.total += matched
            }
            state.markerMatched = nil
            state.done = true
        }
    }

    /// Waits up to `grace` for the writer side to close (every process holding it exited), then
    /// returns what was captured. A descendant that escaped the kill and keeps the pipe open
    /// does not hold the job up past `grace`.
    func finish(grace: Duration) async -> CapturedOutput {
        let deadline = ContinuousClock.now + grace
        while !state.withLock({ $0.done }) && ContinuousClock.now < deadline {
            // Cancellation only ends the wait early; what was captured is returned either way.
            try? await Task.sleep(for: .milliseconds(5))
        }
        return state.withLock { CapturedOutput(kept: $0.kept, totalBytes: $0.total) }
    }

    /// Whether the stream started with the marker (meaningful once ``finish(grace:)`` returned).
    var markerSeen: Bool { state.withLock { $0.markerSeen } }
}
