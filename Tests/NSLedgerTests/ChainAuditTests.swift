import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("chain audit finds tampering at the height where it happened")
struct ChainAuditTests {
    /// A closed ledger file with five blocks of three transactions each.
    func chain() async throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        let store = try fixture.openStore()
        for block in 0..<5 {
            let txs = LedgerFixture.txs(3, from: block * 3)
            _ = try await store.append(await fixture.proposal(store, txs))
        }
        return fixture
    }

    func tamper(_ fixture: LedgerFixture, _ sql: String) throws {
        let queue = try DatabaseQueue(path: fixture.path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    func fault(_ fixture: LedgerFixture) throws -> ChainVerifier.Fault? {
        if case .failure(let fault) = try ChainAudit.audit(path: fixture.path) { return fault }
        return nil
    }

    @Test("an untouched chain verifies to its tip")
    func clean() async throws {
        let fixture = try await chain()
        let summary = try ChainAudit.audit(path: fixture.path).get()
        #expect(summary.height == 5 && summary.logSize == 15)
        #expect(summary.logRoot == MerkleTree.root(leaves: LedgerFixture.txs(15).map(\.leafHash)))
    }

    @Test("one byte of a stored transaction", arguments: [0, 4, 13])
    func txByte(leaf: Int) async throws {
        let fixture = try await chain()
        // Change one digit of the time field ("time":1765079700000 becomes ...001).
        try tamper(fixture, "UPDATE txs SET body = CAST(replace(CAST(body AS TEXT), '700000,', '700001,') AS BLOB) WHERE leaf_index = \(leaf)")
        let found = try #require(try fault(fixture))
        #expect(found.height == UInt64(leaf / 3 + 1))
        #expect(found.check == "txHash")
    }

    @Test("a header field, with or without its stored hash updated", arguments: [
        ("UPDATE blocks SET time = time + 1 WHERE height = 3", "hash"),
        ("UPDATE blocks SET producer = 'genesis' WHERE height = 2", "hash"),
        ("UPDATE blocks SET signature = zeroblob(64) WHERE height = 4", "hash"),
        ("UPDATE blocks SET log_size = 99 WHERE height = 5", "hash"),
        ("UPDATE blocks SET hash = zeroblob(32) WHERE height = 1", "hash"),
    ])
    func headerField(sql: String, check: String) async throws {
        let fixture = try await chain()
        try tamper(fixture, sql)
        let height = UInt64(sql.split(separator: "=").last!.trimmingCharacters(in: .whitespaces))!  // every statement ends with "height = N"
        let found = try #require(try fault(fixture))
        #expect(found.height == height && found.check == check, "\(found)")
    }

    @Test("a header rewritten consistently (hash recomputed) still fails its signature")
    func consistentRewrite() async throws {
        let fixture = try await chain()
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.write { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM blocks WHERE height = 2")!  // the chain has five blocks
            let header = BlockHeader(height: 2, prevHash: MerkleHash(Array(row["prev_hash"] as Data)), time: row["time"] as Int64 + 5,
                                     txRoot: MerkleHash(Array(row["tx_root"] as Data)), logSize: 6,
                                     logRoot: MerkleHash(Array(row["log_root"] as Data)), producer: row["producer"],
                                     signature: Array(row["signature"] as Data))
            try db.execute(sql: "UPDATE blocks SET time = ?, hash = ? WHERE height = 2", arguments: [header.time, Data(header.hash.bytes)])
        }
        try queue.close()
        let found = try #require(try fault(fixture))
        #expect(found.height == 2 && found.check == "signature")
    }

    @Test("a stored tree node proofs would use")
    func treeNode() async throws {
        let fixture = try await chain()
        try tamper(fixture, "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = 0")
        let found = try #require(try fault(fixture))
        #expect(found.check == "treeNodes" && found.height == 5)
    }

    @Test("the genesis validator set")
    func validatorSet() async throws {
        let fixture = try await chain()
        try tamper(fixture, "UPDATE validators SET name = 'someone-else'")
        let found = try #require(try fault(fixture))
        #expect(found.height == 0 && found.check == "genesis")
    }
}
