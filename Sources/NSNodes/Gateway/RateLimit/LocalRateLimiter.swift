import Synchronization

/// Fixed-window counters in this process's memory, bounded: expired windows are swept once per
/// window, and when `maxKeys` live keys exist the windows closest to their reset are evicted
/// first (so a flood of new addresses cannot grow memory without limit).
public final class LocalRateLimiter: RateLimiter {
    struct Window {
        var count: Int
        var resetAt: Int64
    }

    struct State {
        var windows: [String: Window] = [:]
        var nextSweep: Int64 = 0
    }

    public let limit: Int
    public let windowMs: Int64
    public let maxKeys: Int
    private let now: @Sendable () -> Int64
    private let state = Mutex(State())

    public init(limit: Int, window: Duration, maxKeys: Int = 100_000, now: @escaping @Sendable () -> Int64 = LocalRateLimiter.monotonicMs) {
        self.limit = limit
        self.windowMs = max(1, Int64(window / .milliseconds(1)))
        self.maxKeys = max(1, maxKeys)
        self.now = now
    }

    /// Milliseconds on a monotonic clock, so a wall-clock step cannot reset or stretch windows.
    public static let monotonicMs: @Sendable () -> Int64 = {
        Int64(origin.duration(to: .now) / .milliseconds(1))
    }

    private static let origin = ContinuousClock.now

    public func hit(_ key: String) async -> RateLimitDecision {
        hitNow(key)
    }

    /// The synchronous form of ``hit(_:)``, also used by ``RedisRateLimiter`` while Redis is down.
    public func hitNow(_ key: String) -> RateLimitDecision {
        let now = now()
        return state.withLock { state in
            if now >= state.nextSweep {
                state.windows = state.windows.filter { $0.value.resetAt > now }
                state.nextSweep = now + windowMs
            }
            if state.windows.count >= maxKeys, state.windows[key] == nil {
                Self.evict(from: &state.windows, keeping: maxKeys - 1)
            }
            // Counted in place: one hash of the key per request.
            let fresh = Window(count: 0, resetAt: now + windowMs)
            let window = Self.count(&state.windows[key, default: fresh], fresh: fresh, now: now)
            return RateLimitDecision(limit: limit, count: window.count, resetSeconds: Int((window.resetAt - now + 999) / 1000))
        }
    }

    /// Adds one request to `window`, starting a fresh one if it has expired, and returns it.
    private static func count(_ window: inout Window, fresh: Window, now: Int64) -> Window {
        if window.resetAt <= now { window = fresh }
        window.count += 1
        return window
    }

    /// The number of keys held (for tests and the memory bound).
    public var keyCount: Int {
        state.withLock { $0.windows.count }
    }

    private static func evict(from windows: inout [String: Window], keeping target: Int) {
        let excess = windows.count - target
        guard excess > 0 else { return }
        for key in windows.sorted(by: { $0.value.resetAt < $1.value.resetAt }).prefix(excess).map(\.key) {
            windows.removeValue(forKey: key)
        }
    }
}
