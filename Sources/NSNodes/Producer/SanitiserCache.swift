import Metrics
import NSCore
import Synchronization

/// Sanitised previews by content hash, so an artifact submitted again (retries, duplicates,
/// a DLQ retry) is not sanitised again. Bounded: two generations of at most `capacity / 2`
/// entries each; a hit in the older one moves the entry to the current one, and when the current
/// one is full the older one is dropped whole, so what goes is what was least recently used.
/// Hits and misses are counted in `ns_sanitiser_cache_hits_total` / `_misses_total`.
final class SanitiserCache: Sendable {
    typealias Entry = (text: String, report: PromptSanitiser.Report)

    private struct Generations {
        var current: [MerkleHash: Entry] = [:]
        var previous: [MerkleHash: Entry] = [:]
        var hits = 0
        var misses = 0
    }

    let sanitiser: PromptSanitiser
    let capacity: Int
    private let state = Mutex(Generations())
    private let hitCounter: Counter?
    private let missCounter: Counter?

    init(sanitiser: PromptSanitiser, capacity: Int = 10_000, metrics: NodeMetrics? = nil) {
        self.sanitiser = sanitiser
        self.capacity = max(2, capacity)
        hitCounter = metrics.map { Counter(label: "ns_sanitiser_cache_hits_total", factory: $0.factory) }
        missCounter = metrics.map { Counter(label: "ns_sanitiser_cache_misses_total", factory: $0.factory) }
    }

    /// The sanitised form of `text`, whose SHA-256 is `digest`.
    func sanitise(_ text: String, digest: MerkleHash) -> Entry {
        let cached: Entry? = state.withLock { state in
            if let entry = state.current[digest] {
                state.hits += 1
                return entry
            }
            if let entry = state.previous.removeValue(forKey: digest) {
                state.hits += 1
                insert(entry, for: digest, into: &state)
                return entry
            }
            state.misses += 1
            return nil
        }
        if let cached {
            hitCounter?.increment()
            return cached
        }
        missCounter?.increment()
        let entry = sanitiser.sanitise(text)
        state.withLock { insert(entry, for: digest, into: &$0) }
        return entry
    }

    /// Hits, misses and entries held, for tests and the bound.
    var statistics: (hits: Int, misses: Int, entries: Int) {
        state.withLock { ($0.hits, $0.misses, $0.current.count + $0.previous.count) }
    }

    private func insert(_ entry: Entry, for digest: MerkleHash, into state: inout Generations) {
        if state.current.count >= capacity / 2 {
            state.previous = state.current
            state.current = [:]
        }
        state.current[digest] = entry
    }
}
