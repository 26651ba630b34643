import Foundation

/// Exponential backoff for failed attempts: 1 s after the first failure, doubling, capped at
/// 30 s, with jitter so that jobs failing together do not all return together.
public struct RetryPolicy: Sendable {
    public var base: Duration
    public var cap: Duration
    /// Picks the actual delay in `[delay / 2, delay]`; replaceable in tests.
    public var jitter: @Sendable (_ delayMs: Int64) -> Int64

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(30),
                jitter: @escaping @Sendable (Int64) -> Int64 = { Int64.random(in: ($0 / 2)...max($0 / 2, $0)) }) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The nominal delay after `attempts` failed attempts (1 → base, 2 → 2·base, ...).
    public func nominalDelayMs(afterAttempt attempts: Int) -> Int64 {
        let baseMs = Int64(base / .milliseconds(1))
        let capMs = Int64(cap / .milliseconds(1))
        let shift = min(max(attempts - 1, 0), 30)
        return min(capMs, baseMs << Int64(shift))
    }

    public func delayMs(afterAttempt attempts: Int) -> Int64 {
        jitter(nominalDelayMs(afterAttempt: attempts))
    }
}

/// Where the queue reads the time; a fake in unit tests.
public protocol JobClock: Sendable {
    func nowMs() -> Int64
}

/// The system clock.
public struct SystemJobClock: JobClock {
    public init() {}

    public func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
