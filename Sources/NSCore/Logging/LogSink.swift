import Foundation
import Synchronization

/// Where log lines go: standard output, and optionally a size-rotated file (`LOG_FILE`).
///
/// One lock serialises every writer so a line is never split by another thread's line.
public final class LogSink: Sendable {
    private struct State {
        var file: RotatingFileWriter?
        var captured: [String]?
    }

    private let state: Mutex<State>
    private let writesToStandardOutput: Bool

    /// - Parameters:
    ///   - standardOutput: write lines to fd 1.
    ///   - file: also append lines to this rotating file.
    ///   - capture: keep lines in memory (for tests of the format, never in `nsd`).
    public init(standardOutput: Bool = true, file: sending RotatingFileWriter? = nil, capture: Bool = false) {
        self.writesToStandardOutput = standardOutput
        self.state = Mutex(State(file: file, captured: capture ? [] : nil))
    }

    /// Writes `line` plus a newline.
    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        state.withLock { state in
            if writesToStandardOutput { Self.writeAll(fd: 1, bytes) }
            state.file?.write(bytes)
            state.captured?.append(line)
        }
    }

    /// Lines kept when created with `capture: true`.
    public var capturedLines: [String] {
        state.withLock { $0.captured ?? [] }
    }

    static func writeAll(fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)  // buffer is non-empty here
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a closed stdout must not take the daemon down
                }
                offset += written
            }
        }
    }
}
