import GRDB
import NSTestSupport
import Testing
@testable import NSQueue

/// The SQLite backend writes concurrent requests in one transaction, each in its own savepoint.
@Suite("shared SQLite commits")
struct SharedCommitTests {
    struct Failure: Error {}

    private func pool() throws -> DatabasePool {
        let pool = try DatabasePool(path: try Tools.temporaryDirectory("shared-commit") + "/shared.db")
        try pool.write { db in try db.execute(sql: "CREATE TABLE rows (request INTEGER NOT NULL, step INTEGER NOT NULL)") }
        return pool
    }

    @Test("a request that fails after writing loses only its own writes; the others commit with their answers")
    func failingRequestFailsAlone() async throws {
        let pool = try pool()
        let outcomes = await SQLiteJobQueue.shared(pool, SystemJobClock(), [1, 2, 3, 4]) { request, _, db in
            try db.execute(sql: "INSERT INTO rows (request, step) VALUES (?, 1)", arguments: [request])
            if request == 2 { throw Failure() }
            try db.execute(sql: "INSERT INTO rows (request, step) VALUES (?, 2)", arguments: [request])
            return request * 10
        }
        #expect(outcomes.count == 4)
        #expect(try outcomes[0].get() == 10 && outcomes[2].get() == 30 && outcomes[3].get() == 40)
        guard case .failure(.unavailable(let reason)) = outcomes[1] else {
            Issue.record("request 2 should have failed, got \(outcomes[1])")
            return
        }
        #expect(reason == "Failure")
        let rows = try await pool.read { db in try Row.fetchAll(db, sql: "SELECT request, step FROM rows ORDER BY request, step") }
        #expect(rows.map { [$0[0] as Int, $0[1] as Int] } == [[1, 1], [1, 2], [3, 1], [3, 2], [4, 1], [4, 2]])
    }

    @Test("the savepoints are reused across commits and leave no transaction open")
    func repeatedCommits() async throws {
        let pool = try pool()
        for round in 0..<3 {
            let outcomes = await SQLiteJobQueue.shared(pool, SystemJobClock(), Array(0..<50)) { request, _, db in
                try db.execute(sql: "INSERT INTO rows (request, step) VALUES (?, ?)", arguments: [request, round])
                if request % 10 == 9 { throw Failure() }
                return request
            }
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 45)
        }
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rows") } == 135)
        try await pool.writeWithoutTransaction { db in #expect(!db.isInsideTransaction) }
    }
}
