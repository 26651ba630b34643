import Foundation
import NSCore
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
        let ledger = LedgerClient(address: PeerAddress(url: URL(string: "http://127.0.0.1:\(stalled.port)")!),  // built from a port number
                                  token: Secret("internal-token"), timeout: .seconds(60), client: NodeHTTPClient.failFast)
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
