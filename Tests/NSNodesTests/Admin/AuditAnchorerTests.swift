import Foundation
import GRDB
import NSCore
import NSLedger
@testable import NSNodes
import NSSQLite
import NSTestSupport
import Testing

/// ``AuditAnchorer`` of two admin-nodes over one audit trail, each anchoring into a real ns-node
/// of its own over HTTP: what each hands ns-node.
@Suite("audit anchors of one head")
struct AuditAnchorerTests {
    @Test("two admin-nodes anchoring one head submit the same transaction, stamped with the head's own time")
    func sameHeadSameAnchor() async throws {
        var migrator = DatabaseMigrator.node("admin-node")
        AdminSchema.register(in: &migrator)
        let database = try NodeDatabase(path: try Tools.temporaryDirectory("audit-anchorer") + "/admin.db", variable: "--data-dir", migrator: migrator)
        let audit = SQLiteAdminStore(pool: database.pool)
        let head = try await audit.append(AuditEvent(actor: "alice", role: "admin", source: "127.0.0.1", action: "queue-pause", target: "queue",
                                                   outcome: "ok", correlationID: "req-1"),
                                    now: Date(timeIntervalSince1970: 1_765_000_000))
        var anchors: [[UInt8]] = []
        for _ in 0..<2 {
            let ledger = try LiveLedgerNode()
            try await ledger.serve { address in
                var anchorer = AuditAnchorer(audit: audit, ledger: AuditAnchorLedger(nsNode: address, token: Secret("internal-token")))
                #expect(await anchorer.round() == .anchored(head: head.sequence))
            }
            let pending = try await ledger.store.reader.mempool(limit: 10)
            #expect(pending.total == 1)
            anchors += pending.txs.map { $0.canonical }
            try await Task.sleep(for: .milliseconds(20))  // a wall-clock stamp would differ between the two
        }
        #expect(anchors.count == 2 && anchors[0] == anchors[1])
        let tx = try LedgerTransaction(bytes: anchors[0])
        #expect(tx.value["time"]?.intValue == head.time)
    }
}
