/// Decides when a line that repeats is written: a failure retried every second would otherwise
/// write a line every second for as long as it lasts. The first occurrence is written, then at
/// most one per ``interval``, each saying how many were held back since the one before.
///
/// A value with no lock of its own: keep it in the owner's `Mutex`.
struct LogThrottle: Sendable {
    let interval: Duration
    private var lastWritten: ContinuousClock.Instant?
    private var heldBack = 0

    init(interval: Duration) {
        self.interval = interval
    }

    /// Call once per occurrence. `nil`: hold this one back; otherwise write it, noting the number
    /// of occurrences held back before it (0 for the first, or after a quiet spell).
    mutating func admit(at now: ContinuousClock.Instant) -> Int? {
        if let lastWritten, now - lastWritten < interval {
            heldBack += 1
            return nil
        }
        defer {
            lastWritten = now
            heldBack = 0
        }
        return heldBack
    }
}
