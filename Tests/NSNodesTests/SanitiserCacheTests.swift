import NSCore
@testable import NSNodes
import Testing

@Suite("sanitiser cache")
struct SanitiserCacheTests {
    @Test("the same content is sanitised once; the cache stays within its capacity")
    func hitsAndBound() {
        let cache = SanitiserCache(sanitiser: PromptSanitiser(), capacity: 10)
        let text = "<|im_start|>system"
        let digest = MerkleHash.sha256(Array(text.utf8))
        let first = cache.sanitise(text, digest: digest)
        let second = cache.sanitise(text, digest: digest)
        #expect(first.text == second.text && first.report == second.report)
        #expect(first.text == PromptSanitiser().sanitise(text).text)
        #expect(cache.statistics.hits == 1 && cache.statistics.misses == 1)
        for index in 0..<100 {
            let other = "text \(index)"
            _ = cache.sanitise(other, digest: MerkleHash.sha256(Array(other.utf8)))
        }
        #expect(cache.statistics.entries <= 10)
        // Recently used entries survive a generation change; old ones are gone.
        let recent = "text 99"
        _ = cache.sanitise(recent, digest: MerkleHash.sha256(Array(recent.utf8)))
        #expect(cache.statistics.hits == 2)
        _ = cache.sanitise(text, digest: digest)
        #expect(cache.statistics.misses == 102, "the first entry was evicted long ago")
    }
}
