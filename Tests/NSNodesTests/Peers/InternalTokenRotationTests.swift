import Foundation
import NSCore
import NSLedger
import Testing
@testable import NSNodes

/// `INTERNAL_TOKEN_PREVIOUS`: while a rotation rolls, ns-node accepts writes from callers that
/// send the new token and from those not yet restarted, and nothing else. A real ns-node over
/// HTTP, called the way vp-node calls it.
@Suite("internal token rotation")
struct InternalTokenRotationTests {
    static let current = Secret(String(repeating: "c", count: 64))
    static let previous = Secret(String(repeating: "p", count: 64))
    static let acceptedAcceptedRefused: [Int] = [200, 200, 401]
    static let refusedAccepted: [Int] = [401, 200]

    static func submit(_ address: PeerAddress, token: Secret, job: String) async throws -> Int {
        let calls = LedgerCalls(address: address, token: token, timeout: .seconds(10), client: .nodeFailingFast)
        return try await calls.submit([try LiveLedgerNode.tx(job: job, submitter: "alice", text: "sent with \(job)")]).status
    }

    @Test("with INTERNAL_TOKEN_PREVIOUS set, ns-node takes transactions under either token and refuses any other")
    func bothAccepted() async throws {
        let ledger = try LiveLedgerNode()
        try await ledger.serve(internalToken: Self.current, previousInternalToken: Self.previous) { address in
            let newToken = try await Self.submit(address, token: Self.current, job: "job_new_token")
            let oldToken = try await Self.submit(address, token: Self.previous, job: "job_old_token")
            let stranger = try await Self.submit(address, token: Secret(String(repeating: "x", count: 64)), job: "job_stranger")
            let statuses: [Int] = [newToken, oldToken, stranger]
            #expect(statuses == Self.acceptedAcceptedRefused)
        }
        #expect(try await ledger.store.reader.head().pendingCount == 2)
    }

    @Test("without it (the rotation finished) the old token is refused")
    func previousDropped() async throws {
        let ledger = try LiveLedgerNode()
        try await ledger.serve(internalToken: Self.current) { address in
            let oldToken = try await Self.submit(address, token: Self.previous, job: "job_old_token")
            let newToken = try await Self.submit(address, token: Self.current, job: "job_new_token")
            let statuses: [Int] = [oldToken, newToken]
            #expect(statuses == Self.refusedAccepted)
        }
        #expect(try await ledger.store.reader.head().pendingCount == 1)
    }
}
