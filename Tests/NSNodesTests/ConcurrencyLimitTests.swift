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

@Suite("concurrency limit: bounded and cancelled waits")
struct ConcurrencyLimitWaitTests {
    /// Holds the only slot until `open()` is called.
    final class Gate: Sendable {
        private let opened = Mutex(false)
        func open() { opened.withLock { $0 = true } }
        func wait() async throws { while !opened.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) } }
    }

    /// A limit of one whose slot is held, until the gate opens, by a task that then returns 1.
    static func heldLimit() async throws -> (limit: ConcurrencyLimit, gate: Gate, holder: Task<Int, any Error>) {
        let limit = ConcurrencyLimit(1)
        let gate = Gate()
        let holder = Task { try await limit.run { try await gate.wait(); return 1 } }
        while await limit.taken == 0 { try await Task.sleep(for: .milliseconds(5)) }
        return (limit, gate, holder)
    }

    @Test("a wait bound that passes throws Busy, and the slot's holder is unaffected")
    func boundedWait() async throws {
        let (limit, gate, holder) = try await Self.heldLimit()
        await #expect(throws: ConcurrencyLimit.Busy.self) { try await limit.run(waitingAtMost: .milliseconds(50)) { 2 } }
        await #expect(throws: ConcurrencyLimit.Busy.self) { try await limit.run(waitingAtMost: .zero) { 2 } }
        gate.open()
        #expect(try await holder.value == 1)
        #expect(try await limit.run(waitingAtMost: .zero) { 3 } == 3, "the slot is free again")
    }

    @Test("a cancelled waiter leaves the line at once and never runs")
    func cancelledWait() async throws {
        let (limit, gate, holder) = try await Self.heldLimit()
        let ran = Mutex(false)
        let waiter = Task { try await limit.run { ran.withLock { $0 = true } } }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        gate.open()
        _ = try await holder.value
        #expect(!ran.withLock { $0 })
        #expect(try await limit.run(waitingAtMost: .zero) { 4 } == 4, "the cancelled waiter took no slot")
    }
}
