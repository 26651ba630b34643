import Foundation
import GRDB
import NSQueue
import Testing

@Suite("job ids")
struct JobIDTests {
    static let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")

    @Test("job_, 10 time digits and 16 random digits, all URL-safe base-32")
    func shape() {
        let id = JobID.generate(nowMs: 1_765_079_700_000)
        #expect(id.hasPrefix("job_") && id.count == 30)
        #expect(id.dropFirst(4).allSatisfy(Self.alphabet.contains))
        // 1_765_079_700_000 in base 32 (Crockford's digits, as the alphabet above) is 01kbvf5mh0.
        #expect(id.dropFirst(4).prefix(10) == "01kbvf5mh0")
    }

    @Test("a later millisecond sorts after an earlier one, byte by byte, across digit carries",
          arguments: [0, 31, 1023, 1_765_079_700_000, (1 << 35) - 1, (1 << 50) - 2] as [Int64])
    func timeOrder(ms: Int64) {
        for _ in 0..<50 {
            let earlier = JobID.generate(nowMs: ms), later = JobID.generate(nowMs: ms + 1)
            #expect(Array(earlier.utf8).lexicographicallyPrecedes(Array(later.utf8)), "\(earlier) \(later)")
        }
    }

    @Test("ids made in the same millisecond are all different")
    func uniqueWithinAMillisecond() {
        let ids = (0..<20_000).map { _ in JobID.generate(nowMs: 1_765_079_700_000) }
        #expect(Set(ids).count == ids.count)
    }

    @Test("the embedded queue stamps ids with its clock, so later jobs have greater ids")
    func embeddedQueueUsesItsClock() async throws {
        let subject = try await Backend.sqlite.make()
        var ids: [String] = []
        for step in [Duration.zero, .milliseconds(1), .seconds(3600), .milliseconds(1)] {
            subject.clock.advance(step)
            ids.append(try await subject.queue.enqueue(job()).id)
        }
        #expect(ids.last?.dropFirst(4).prefix(10) == JobID.generate(nowMs: subject.clock.nowMs()).dropFirst(4).prefix(10))
        #expect(ids == ids.sorted())
        let pool = try #require(subject.pool)
        // SQLite compares the TEXT keys of jobs.id by their bytes: insertion order is index order.
        let stored = try await pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM jobs ORDER BY id") }
        let bySeq = try await pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM jobs ORDER BY seq") }
        #expect(stored == bySeq)
        await subject.stop()
    }
}
