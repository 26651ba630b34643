import Foundation

/// Where log lines go: standard output, and optionally a size-rotated file (`LOG_FILE`).
///
/// A caller only appends its line to a buffer; the sink's own writer thread writes what has
/// accumulated, many lines per system call. Writing each line from the thread that logged it cost
/// the gateway two `write(2)` calls per request under a lock every request thread contends for,
/// and a slow reader of standard output stalled request handling.
///
/// What callers can rely on:
/// - lines written through the sink are never split or interleaved with one another, and appear
///   in the order they were written (a batch may take several `write(2)` calls, so another
///   writer to the same pipe could land between them);
/// - ``write(_:urgent:)`` with `urgent` (nsd passes it for `error` and `critical`) returns only
///   once the line and every line before it have been written;
/// - ``flush()`` waits for everything written so far; nsd calls it before exiting;
/// - other lines are written within a few milliseconds (the writer gathers them for 2 ms);
/// - memory is bounded: a caller finding ``capacity`` bytes waiting blocks until the writer has
///   caught up, as it would have blocked on a slow `write(2)` before. With the batch being
///   written, at most about twice ``capacity`` is held.
///
/// A process that is killed loses the lines of its last moments, at most about twice
/// ``capacity`` bytes.
public final class LogSink: Sendable {
    /// Bytes that may wait for the writer before callers block.
    public static let capacity = 1 << 20
    /// How long the writer lets lines gather before writing them, unless someone is waiting for
    /// them (an urgent line, ``flush()``): the delay a routine line can have.
    static let gatherSeconds: TimeInterval = 0.002

    private let core: LogWriterCore

    /// - Parameters:
    ///   - standardOutput: write lines to fd 1.
    ///   - file: also append lines to this rotating file (owned by the writer thread from now on).
    ///   - capture: keep lines in memory (for tests of the format, never in `nsd`).
    public init(standardOutput: Bool = true, file: sending RotatingFileWriter? = nil, capture: Bool = false) {
        core = LogWriterCore(standardOutput: standardOutput, file: file, capture: capture)
        let core = self.core
        let thread = Thread { core.run() }
        thread.name = "nsd-log-writer"
        thread.start()
    }

    deinit {
        core.stop()
    }

    /// Queues `line` plus a newline. With `urgent`, returns once it has been written.
    public func write(_ line: String, urgent: Bool = false) {
        write(line: Array(line.utf8), urgent: urgent)
    }

    /// Queues the UTF-8 bytes of one line (no newline) plus a newline. With `urgent`, returns
    /// once it has been written.
    public func write(line: [UInt8], urgent: Bool = false) {
        let written = core.append(line)
        if urgent { core.waitUntilWritten(written) }
    }

    /// Returns once every line written before the call is out.
    public func flush() {
        core.waitUntilWritten(core.appendedBytes)
    }

    /// Lines kept when created with `capture: true`.
    public var capturedLines: [String] {
        core.capturedLines
    }

    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed stdout must not take the daemon down
            }
            offset += written
        }
    }
}

/// The buffer shared by the loggers and the writer thread, and the outputs only that thread
/// touches.
///
/// `@unchecked Sendable`: every stored `var` is read and written with `condition` locked, except
/// `file` and `spare`, which only the writer thread uses once `run()` has started (the initialiser
/// hands them over before the thread exists).
private final class LogWriterCore: @unchecked Sendable {
    private let condition = NSCondition()
    private let standardOutput: Bool
    private var file: RotatingFileWriter?
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var appended = 0
    private var written = 0
    private var writerIdle = false
    private var gathering = false
    private var waiters = 0
    private var stopping = false
    private var captured: [String]?

    init(standardOutput: Bool, file: sending RotatingFileWriter?, capture: Bool) {
        self.standardOutput = standardOutput
        self.file = file
        self.captured = capture ? [] : nil
        pending.reserveCapacity(64 * 1024)
        spare.reserveCapacity(64 * 1024)
    }

    /// Buffers the line and returns the byte count that includes it.
    func append(_ line: [UInt8]) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while pending.count >= LogSink.capacity && !stopping { wait() }
        pending.append(contentsOf: line)
        pending.append(UInt8(ascii: "\n"))
        appended += line.count + 1
        captured?.append(String(decoding: line, as: UTF8.self))
        if writerIdle { condition.broadcast() }
        return appended
    }

    var appendedBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return appended
    }

    func waitUntilWritten(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        while written < count && !stopping { wait() }
    }

    var capturedLines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return captured ?? []
    }

    /// Ends the writer thread once it has written what is pending.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// The writer thread: takes everything pending, writes it with the lock released, repeats.
    func run() {
        condition.lock()
        while true {
            while pending.isEmpty && !stopping {
                writerIdle = true
                condition.wait()
                writerIdle = false
            }
            if pending.isEmpty { break }
            // Let lines gather, or under load the writer would wake (and write) once per line.
            // Someone waiting for their line (urgent, flush) cuts the pause short.
            let deadline = Date(timeIntervalSinceNow: LogSink.gatherSeconds)
            gathering = true
            while waiters == 0 && !stopping && condition.wait(until: deadline) {}
            gathering = false
            swap(&pending, &spare)
            let upTo = appended
            condition.unlock()
            output(spare)
            spare.removeAll(keepingCapacity: true)
            condition.lock()
            written = upTo
            if waiters > 0 { condition.broadcast() }
        }
        condition.unlock()
    }

    /// Waits on the condition as a caller (not the writer), counted so the writer knows to wake it.
    private func wait() {
        waiters += 1
        if gathering { condition.broadcast() }
        condition.wait()
        waiters -= 1
    }

    private func output(_ bytes: [UInt8]) {
        if standardOutput { bytes.withUnsafeBytes { LogSink.writeAll(fd: 1, $0) } }
        file?.write(lines: bytes)
    }
}
