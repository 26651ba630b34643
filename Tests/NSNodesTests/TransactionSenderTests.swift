import Foundation
import NSCore
import NSLedger
import Testing
@testable import NSNodes

/// The sender's callers at shutdown: a cancelled caller is answered at once, even while ns-node
/// holds its request without answering.
@Suite("transaction sender")
struct TransactionSenderTests {
    static func transaction(_ index: Int) throws -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: Hex.encode([UInt8](repeating: UInt8(index), count: 32)), artifactSize: 3, submitter: "tester",
                                   jobID: "job_\(index)", preview: "abc", timeMs: 1_765_079_700_000)
    }

    @Test("a cancelled caller gets unavailable at once while its request hangs, and the others in its batch too when cancelled")
    func cancelledCaller() async throws {
        // Accepts connections (the kernel's backlog) and never answers: a stalled ns-node.
        let stalled = try TCPListener()
        defer { stalled.close() }
        let ledger = LedgerCalls(address: PeerAddress(url: URL(string: "http://127.0.0.1:\(stalled.port)")!),  // built from a port number
                                  token: Secret("internal-token"), timeout: .seconds(60), client: .nodeFailingFast)
        let sender = TransactionSender(ledger: ledger)
        let first = Task { await sender.send(try Self.transaction(1)) }
        let second = Task { await sender.send(try Self.transaction(2)) }
        try await Task.sleep(for: .milliseconds(300))  // both are in the request ns-node holds
        first.cancel()
        second.cancel()
        for caller in [first, second] {
            guard case .unavailable(let reason) = try await caller.value else {
                Issue.record("a cancelled caller must get unavailable")
                continue
            }
            // Not the request's own failure, which would come only after its 60 s timeout.
            #expect(reason.contains("shutting down"), "\(reason)")
        }
    }
}

/// vp-node's sender against a real ns-node over HTTP: every job ends with the one transaction the
/// ledger holds for it, however many times it was worked and whatever each attempt built.
@Suite("transaction sender: one transaction per job")
struct TransactionSenderOnePerJobTests {
    static func tx(job: String, text: String) throws -> LedgerTransaction {
        try LiveLedgerNode.tx(job: job, submitter: "alice", text: text)
    }

    @Test("a job ns-node holds (committed or pending) is accepted with the held transaction; a new one with its own; racers get one")
    func heldTransactions() async throws {
        let ledger = try LiveLedgerNode()
        let committed = try Self.tx(job: "job_done", text: "anchored before the restore")
        let waiting = try Self.tx(job: "job_waiting", text: "in the mempool before the restore")
        try await ledger.commit([committed])
        _ = try await ledger.store.submit([waiting])
        try await ledger.serve { address in
            let sender = TransactionSender(ledger: LedgerCalls(address: address, token: Secret("internal-token"), timeout: .seconds(10), client: .nodeFailingFast))
            let fresh = try Self.tx(job: "job_new", text: "never seen")
            let racers = try (0..<2).map { try Self.tx(job: "job_race", text: "worked by vp-node \($0)") }
            let workedAgain = try Self.tx(job: "job_done", text: "worked again: another sandbox duration")
            let workedWhileWaiting = try Self.tx(job: "job_waiting", text: "worked again while it waits")
            async let again = sender.send(workedAgain)
            async let stillWaiting = sender.send(workedWhileWaiting)
            async let new = sender.send(fresh)
            async let first = sender.send(racers[0])
            async let second = sender.send(racers[1])
            #expect(await again == .accepted(txHash: committed.hash.hex, duplicateJob: true))
            #expect(await stillWaiting == .accepted(txHash: waiting.hash.hex, duplicateJob: true))
            #expect(await new == .accepted(txHash: fresh.hash.hex, duplicateJob: false))
            let raced = [await first, await second]
            #expect(Set(raced.compactMap(\.acceptedHash)).count == 1 && raced.filter(\.isDuplicateJob).count == 1, "\(raced)")
        }
        #expect(try await ledger.store.reader.head().pendingCount == 3, "job_waiting, job_new and one racer")
    }

    @Test("a 2xx answer without a receipt per transaction is no acceptance: the attempt is retried")
    func receiptsRequired() {
        let hash = String(repeating: "ab", count: 32)
        #expect(TransactionSender.receipts(#"{"receipts":[{"status":"pending","txHash":"\#(hash)"}]}"#) == [.accepted(txHash: hash, duplicateJob: false)])
        #expect(TransactionSender.receipts(#"{"receipts":[{"duplicateJob":true,"status":"committed","txHash":"\#(hash)"}]}"#)
            == [.accepted(txHash: hash, duplicateJob: true)])
        #expect(TransactionSender.receipts(#"{"accepted":1}"#) == nil)
        #expect(TransactionSender.receipts(#"{"receipts":[{"status":"pending"}]}"#) == nil)
        #expect(TransactionSender.receipts("not json") == nil)
    }
}

extension TransactionSender.Outcome {
    var acceptedHash: String? {
        if case .accepted(let hash, _) = self { return hash }
        return nil
    }

    var isDuplicateJob: Bool {
        if case .accepted(_, let duplicate) = self { return duplicate }
        return false
    }
}
