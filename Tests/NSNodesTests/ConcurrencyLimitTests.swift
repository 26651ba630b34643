@testable import NSNodes
import Synchronization
import Testing

@Suite("concurrency limit")
struct ConcurrencyLimitTests {
    /// Callers inside the limit right now, and the most ever seen.
    final class Occupancy: Sendable {
        private let state = Mutex((now: 0, peak: 0))

        func enter() { state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var peak: Int { state.withLock { $0.peak } }
    }

    @Test("never more than the limit inside at once, and every caller gets its turn")
    func boundsConcurrency() async throws {
        let limit = ConcurrencyLimit(3)
        let occupancy = Occupancy()
        let finished = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await limit.run {
                        occupancy.enter()
                        defer { occupancy.leave() }
                        try await Task.sleep(for: .milliseconds(5))
                        return index
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(finished == Set(0..<40))
        #expect(occupancy.peak == 3)
    }

    @Test("a caller that throws gives its slot back")
    func throwingReleases() async throws {
        struct Failure: Error {}
        let limit = ConcurrencyLimit(1)
        await #expect(throws: Failure.self) { try await limit.run { throw Failure() } }
        #expect(try await limit.run { 7 } == 7)
    }
}
