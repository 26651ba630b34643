import Synchronization

/// Lookup entries (by tx hash, by artifact, by job id) of committed transactions that are not yet
/// in the lookup tables (``LookupTables``, ``JobLookups``).
///
/// A block's entries land here instead of in two random-order SQLite indexes: there, a thousand
/// scattered inserts per block dirtied a page each, and writing those pages at every commit was
/// most of the append's cost. ``SQLiteLedgerStore`` moves them into the tables in sorted batches, in
/// which each page is written once however many entries it takes.
///
/// Entries are added before their block commits and dropped only after the batch holding them
/// commits. A reader that asks here first and then reads its snapshot therefore never misses a
/// committed transaction; a leaf it learns of here whose row its snapshot lacks is not committed
/// as far as that reader is concerned, and is skipped.
final class PendingLookups: Sendable {
    struct Entry: Sendable {
        let leaf: Int64
        let hashKey: Int64
        let artifactKey: Int64
        /// ``LedgerJobKey/of(_:)`` of the job id the transaction records.
        let jobKey: Int64
    }

    private struct State {
        /// In leaf order.
        var entries: [Entry] = []
        var byHash: [Int64: [Int64]] = [:]
        var byArtifact: [Int64: [Int64]] = [:]
        var byJob: [Int64: [Int64]] = [:]

        mutating func index(_ entry: Entry) {
            byHash[entry.hashKey, default: []].append(entry.leaf)
            byArtifact[entry.artifactKey, default: []].append(entry.leaf)
            byJob[entry.jobKey, default: []].append(entry.leaf)
        }

        mutating func reindex() {
            byHash = [:]
            byArtifact = [:]
            byJob = [:]
            for entry in entries { index(entry) }
        }
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.entries.count } }

    /// The entries in leaf order, for a batch to write.
    var entries: [Entry] { state.withLock { $0.entries } }

    func add(_ entries: [Entry]) {
        state.withLock { state in
            state.entries += entries
            for entry in entries { state.index(entry) }
        }
    }

    /// Takes back the newest `count` entries, those of an append whose commit failed.
    func removeLast(_ count: Int) {
        state.withLock { state in
            state.entries.removeLast(min(count, state.entries.count))
            state.reindex()
        }
    }

    /// Drops the oldest `count` entries, once a batch holding them has committed.
    func removeFirst(_ count: Int) {
        state.withLock { state in
            state.entries.removeFirst(min(count, state.entries.count))
            state.reindex()
        }
    }

    /// Leaves whose tx hash starts with `key` (its ``MerkleHash/lookupKey``).
    func leaves(hashKey key: Int64) -> [Int64] {
        state.withLock { $0.byHash[key] ?? [] }
    }

    /// Leaves whose artifact digest starts with `key`.
    func leaves(artifactKey key: Int64) -> [Int64] {
        state.withLock { $0.byArtifact[key] ?? [] }
    }

    /// Leaves whose job id has the key `key` (``LedgerJobKey/of(_:)``).
    func leaves(jobKey key: Int64) -> [Int64] {
        state.withLock { $0.byJob[key] ?? [] }
    }
}
