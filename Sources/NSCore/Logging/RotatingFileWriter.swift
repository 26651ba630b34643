import Foundation

/// Appends to a log file and rotates it by size: `app.log` becomes `app.log.1`, the old `.1`
/// becomes `.2`, and so on, keeping `keep` files in all (the seeds' 10 MB × 3).
///
/// Not thread-safe on its own (hence not `Sendable`); ``LogSink`` hands it to its writer thread.
public final class RotatingFileWriter {
    public let path: String
    public let maxBytes: Int
    public let keep: Int
    private var fd: Int32
    private var size: Int
    /// Whether stderr already says the file could not be reopened, so a lasting failure is told once.
    private var reportedReopenFailure = false

    /// Opens (creating, mode 0640) `path` for appending.
    public init(path: String, maxBytes: Int = 10 * 1024 * 1024, keep: Int = 3) throws(ConfigurationError) {
        precondition(maxBytes > 0 && keep >= 1, "a rotating log needs a positive size and at least one file")
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        self.fd = try Self.open(path)
        var info = stat()
        self.size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    deinit { close(fd) }

    /// Appends `bytes`, whole lines each ending in a newline. The file rotates between lines, so
    /// no file exceeds `maxBytes` unless a single line does.
    public func write(lines bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var start = 0
            while start < buffer.count {
                let first = Self.lineEnd(in: buffer, from: start)
                if size > 0 && size + (first - start) > maxBytes { rotate() }
                var end = first
                if size + (buffer.count - start) <= maxBytes {
                    end = buffer.count
                } else {
                    while end < buffer.count {
                        let next = Self.lineEnd(in: buffer, from: end)
                        if size + (next - start) > maxBytes { break }
                        end = next
                    }
                }
                LogSink.writeAll(fd: fd, UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                size += end - start
                start = end
            }
        }
    }

    /// The index just past the newline that ends the line starting at `start` (or the end).
    private static func lineEnd(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int {
        buffer[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? buffer.count
    }

    private func rotate() {
        close(fd)
        let manager = FileManager.default
        if keep > 1 {
            // Usually absent; if it cannot be removed, the renames below replace it all the same.
            try? manager.removeItem(atPath: "\(path).\(keep - 1)")
            for index in stride(from: keep - 2, through: 1, by: -1) {
                Foundation.rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            Foundation.rename(path, "\(path).1")
        } else {
            unlink(path)
        }
        do {
            fd = try Self.open(path)
            reportedReopenFailure = false
        } catch {
            fd = -1
            if !reportedReopenFailure {
                reportedReopenFailure = true
                let line = "nsd: LOG_FILE \(error.problem) after rotating it; log lines are lost until the next rotation reopens it\n"
                Array(line.utf8).withUnsafeBytes { LogSink.writeAll(fd: STDERR_FILENO, $0) }
            }
        }
        size = 0
    }

    private static func open(_ path: String) throws(ConfigurationError) -> Int32 {
        let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ConfigurationError(variable: "LOG_FILE", problem: "(\(path)) cannot be opened: \(reason)", fix: "point it at a writable file, or unset it")
        }
        return fd
    }
}
