import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport
import Testing

/// Several ns-nodes on one database: the database, not any node's memory, decides which block
/// takes a height and which transaction a job keeps.
@Suite("PostgreSQL ledger shared by several nodes")
struct PostgresLedgerSharingTests {
    @Test("8 nodes race one height: exactly one block is stored, every other node gets the 409 rejection", .timeLimit(.minutes(1)))
    func racingAppends() async throws {
        let fixture = try await PostgresLedgerFixture()
        var nodes: [(store: PostgresLedgerStore, open: OpenDatabase)] = []
        for _ in 0..<8 { nodes.append(try await fixture.node()) }
        var proposals: [BlockProposal] = []
        for (index, node) in nodes.enumerated() {
            proposals.append(try await fixture.proposal(node.store, PostgresLedgerFixture.txs(1, from: index)))
        }
        let outcomes = await withTaskGroup(of: Result<AppendOutcome, BlockRejection>.self) { group in
            for (node, proposal) in zip(nodes, proposals) {
                group.addTask {
                    do throws(BlockRejection) { return .success(try await node.store.append(proposal)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let rejections = outcomes.compactMap { outcome -> BlockRejection? in
            if case .failure(let rejection) = outcome { return rejection }
            return nil
        }
        #expect(rejections.count == 7)
        #expect(rejections.allSatisfy { $0 == .height(expected: 2, got: 1) }, "\(rejections)")
        #expect(rejections.allSatisfy { $0.isConflict })
        let head = try await nodes[0].store.reader.head()
        #expect(head.header.height == 1)
        #expect(head.hash == winners.first?.header.hash)
        #expect(try await nodes[3].store.reader.logSize() == 1)
        for node in nodes { await node.open.stop() }
    }

    @Test("node B appends after node A moved the tip, without a restart: its stale tip is reloaded from the database")
    func appendAfterAnotherNode() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (a, openA) = try await fixture.node()
        let (b, openB) = try await fixture.node()
        _ = try await b.append(try await fixture.proposal(b, PostgresLedgerFixture.txs(1)))
        _ = try await a.append(try await fixture.proposal(a, PostgresLedgerFixture.txs(1, from: 1)))
        _ = try await a.append(try await fixture.proposal(a, PostgresLedgerFixture.txs(2, from: 2)))
        let third = try await b.append(try await fixture.proposal(b, PostgresLedgerFixture.txs(1, from: 4)))
        #expect(third.header.height == 4)
        #expect(third.header.logSize == 5)
        #expect(try await a.reader.head().header == third.header)
        await openA.stop()
        await openB.stop()
    }

    @Test("onePerJob submits of different transactions for one job, racing through two nodes, store exactly one", .timeLimit(.minutes(1)))
    func onePerJobAcrossNodes() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (a, openA) = try await fixture.node()
        let (b, openB) = try await fixture.node()
        for round in 0..<10 {
            let job = "job_race_\(round)"
            let first = PostgresLedgerFixture.tx(job: job, text: "attempt on a \(round)")
            let second = PostgresLedgerFixture.tx(job: job, text: "attempt on b \(round)")
            async let onA = a.submit([first], rule: .onePerJob)
            async let onB = b.submit([second], rule: .onePerJob)
            let (answerA, answerB) = try await (onA, onB)
            #expect(answerA.receipts[0].txHash == answerB.receipts[0].txHash, "round \(round)")
            #expect(answerA.receipts[0].duplicateJob != answerB.receipts[0].duplicateJob, "round \(round)")
        }
        let mempool = try await a.reader.mempool(limit: 100)
        #expect(mempool.total == 10)
        #expect(mempool.txs.count == 10)
        await openA.stop()
        await openB.stop()
    }

    @Test("submits racing appends on another node never leave a committed transaction in the mempool", .timeLimit(.minutes(2)))
    func submitRacingAppend() async throws {
        let fixture = try await PostgresLedgerFixture()
        let (producer, openProducer) = try await fixture.node()
        let (submitter, openSubmitter) = try await fixture.node()
        let txs = PostgresLedgerFixture.txs(60)
        _ = try await submitter.submit(txs, rule: .sameTransaction)
        // One node commits the mempool in blocks of 5 while the other submits the same
        // transactions again and again.
        let resubmitting = Task {
            for _ in 0..<20 {
                for batch in stride(from: 0, to: txs.count, by: 10) {
                    _ = try await submitter.submit(Array(txs[batch..<batch + 10]), rule: .sameTransaction)
                }
            }
        }
        for block in stride(from: 0, to: txs.count, by: 5) {
            _ = try await producer.append(try await fixture.proposal(producer, Array(txs[block..<block + 5])))
        }
        try await resubmitting.value
        let both = try fixture.server.psql("SELECT count(*) FROM ledger.mempool m JOIN ledger.txs t ON t.hash = m.hash", database: fixture.databaseName)
        #expect(both == "0")
        let counted = try fixture.server.psql("SELECT (SELECT count FROM ledger.mempool_stats) = (SELECT count(*) FROM ledger.mempool)",
                                              database: fixture.databaseName)
        #expect(counted == "t")
        #expect(try await producer.reader.head().pendingCount == 0)
        #expect(try await producer.reader.logSize() == 60)
        await openProducer.stop()
        await openSubmitter.stop()
    }
}
