@testable import NSCore
import Testing

@Suite("secure random bytes")
struct SecureRandomTests {
    @Test("identifier bytes have the length asked for, also past the pool's limit")
    func lengths() {
        for count in [0, 1, 12, 24, 1024, 1025, 10_000] {
            #expect(SecureRandom.identifierBytes(count).count == count)
        }
    }

    /// A slice handed out twice, or a refill that repeats the last pool, would show up as equal
    /// 16-byte draws (128 bits: a chance repeat is out of the question).
    @Test("draws across many refills and from concurrent threads never repeat")
    func neverRepeats() async {
        let perTask = 2_000
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<perTask).map { _ in SecureRandom.identifierBytes(16) } }
            }
            return await group.reduce(into: [[UInt8]]()) { $0 += $1 }
        }
        #expect(draws.count == 8 * perTask)  // 256,000 bytes: more than 60 pool refills
        #expect(Set(draws).count == draws.count)
    }

    @Test("the pool is filled from the kernel in one read")
    func kernelRead() throws {
        let bytes = try #require(RandomPool.readKernelRandomness(RandomPool.capacity))
        #expect(bytes.count == RandomPool.capacity)
        // 4,096 bytes of randomness are never all one value (what a failed read would leave).
        #expect(Set(bytes).count > 200)
    }
}
