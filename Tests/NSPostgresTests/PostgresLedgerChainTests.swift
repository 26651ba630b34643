import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport
import Testing

/// What is built from the stored blocks: an audit walk over every block, and durability through
/// kill -9 of PostgreSQL. Proofs are checked on every engine by NSLedgerTests' ProofConformanceTests.
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
