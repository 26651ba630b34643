import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport
import Testing

/// What is built from the stored blocks: proofs equal to an in-memory tree's, an audit walk over
/// every block, and durability through kill -9 of PostgreSQL.
@Suite("PostgreSQL ledger chain")
struct PostgresLedgerChainTests {
    /// Appends `sizes.count` blocks of those sizes and returns every transaction in log order.
    static func appendBlocks(_ fixture: PostgresLedgerFixture, _ store: PostgresLedgerStore, sizes: [Int]) async throws -> [LedgerTransaction] {
        var all: [LedgerTransaction] = []
        for size in sizes {
            let txs = PostgresLedgerFixture.txs(size, from: all.count)
            _ = try await store.append(try await fixture.proposal(store, txs))
            all += txs
        }
        return all
    }

    @Test("inclusion and consistency proofs equal an in-memory tree's for every size 1...100", .timeLimit(.minutes(2)))
    func proofsMatchInMemoryTree() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (store, open) = try await fixture.node()
        // Blocks of 1, 2, 3, ... transactions: the sizes fall inside blocks as well as on their edges.
        let txs = try await Self.appendBlocks(fixture, store, sizes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 9])
        #expect(txs.count == 100)
        let memory = InMemorySubtrees(leaves: txs.map(\.leafHash))
        for size in UInt64(1)...100 {
            for leaf in Set([0, size / 2, size - 1]) {
                let stored = try await store.reader.inclusionProof(leaf: leaf, size: size)
                let expected = try MerkleTree.inclusionProof(index: leaf, size: size, source: memory)
                let root = try MerkleTree.rootOfRange(0, size, source: memory)
                #expect(stored.proof == expected, "leaf \(leaf) of \(size)")
                #expect(stored.root == root)
            }
            for from in Set([1, size / 3, size / 2, size - 1, size]) where from >= 1 {
                let stored = try await store.reader.consistencyProof(from: from, to: size)
                let expected = try MerkleTree.consistencyProof(old: from, new: size, source: memory)
                let roots = (try MerkleTree.rootOfRange(0, from, source: memory), try MerkleTree.rootOfRange(0, size, source: memory))
                #expect(stored.proof == expected, "\(from) to \(size)")
                #expect(stored.fromRoot == roots.0)
                #expect(stored.toRoot == roots.1)
            }
        }
        await #expect(throws: LedgerError.outOfRange("tree size 101 is beyond the log size 100")) {
            _ = try await store.reader.inclusionProof(leaf: 0, size: 101)
        }
        await #expect(throws: LedgerError.outOfRange("from 5 is larger than to 4")) { _ = try await store.reader.consistencyProof(from: 5, to: 4) }
        await open.stop()
    }

    @Test("an audit walk through PostgresChainSource sees every block, passes ChainVerifier and matches the stored tree", .timeLimit(.minutes(1)))
    func chainAuditWalk() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (store, open) = try await fixture.node()
        let sizes = [3, 1, 4, 1, 5, 9, 2, 6]
        _ = try await Self.appendBlocks(fixture, store, sizes: sizes)
        // Pages of 3 blocks, so the walk crosses page boundaries.
        let source = PostgresChainSource(database: open.database, pageSize: 3)
        let log = try await source.validatorLog()
        #expect(log.genesis == fixture.validators)
        #expect(log.changes.isEmpty)
        var verifier = ChainVerifier(genesisValidators: log.genesis)
        var seen: [(height: UInt64, txs: Int)] = []
        try await source.forEachBlock { header, storedHash, txs, filedUnder in
            try verifier.verify(header, storedHash: storedHash, txs: txs)
            #expect(filedUnder == Array(repeating: header.height, count: txs.count))
            seen.append((header.height, txs.count))
            return true
        }
        #expect(seen.map(\.height) == Array(0...UInt64(sizes.count)))
        #expect(seen.map(\.txs) == [0] + sizes)
        let head = try await store.reader.head()
        #expect(verifier.verifiedHeight == head.header.height)
        #expect(verifier.logRoot == head.header.logRoot)
        #expect(try await source.storedRoot(size: head.header.logSize) == head.header.logRoot)

        var stoppedAt: UInt64?
        try await source.forEachBlock { header, _, _, _ in
            stoppedAt = header.height
            return header.height < 4
        }
        #expect(stoppedAt == 4)
        await open.stop()
    }

    @Test("kill -9 of PostgreSQL, restarted on the same folder, loses no acknowledged block", .timeLimit(.minutes(2)))
    func killNineKeepsAcknowledgedBlocks() async throws {
        let server = try await PostgresServer()
        let fixture = try await PostgresLedgerFixture(server: server)
        let (store, open) = try await fixture.node()
        let crash = Task {
            try await Task.sleep(for: .milliseconds(400))
            await server.kill9()
        }
        var acknowledged: [BlockHeader] = []
        var next = 0
        while acknowledged.count < 500 {
            do {
                let txs = PostgresLedgerFixture.txs(3, from: next)
                acknowledged.append(try await store.append(try await fixture.proposal(store, txs)).header)
                next += 3
            } catch {
                break  // the server is gone: what was acknowledged before must survive
            }
        }
        try await crash.value
        #expect(acknowledged.count > 0)
        try await server.start()
        let (reopened, reopenedDatabase) = try await fixture.node()
        let head = try await reopened.reader.head()
        #expect(head.header.height >= UInt64(acknowledged.count))
        for header in acknowledged {
            #expect(try await reopened.reader.block(height: header.height)?.header == header)
        }
        // The chain still verifies end to end after the crash.
        var verifier = ChainVerifier(genesisValidators: fixture.validators)
        try await PostgresChainSource(database: reopenedDatabase.database).forEachBlock { header, storedHash, txs, _ in
            try verifier.verify(header, storedHash: storedHash, txs: txs)
            return true
        }
        #expect(verifier.verifiedHeight == head.header.height)
        await open.stop()
        await reopenedDatabase.stop()
        await server.stop()
    }
}
