import Foundation
import GRDB
import NSTestSupport
import Testing
import NSSQLite

/// The raw binding path the append uses, on a real SQLite file.
@Suite("Statements bound through SQLite's own calls")
struct BoundStatementTests {
    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: try Tools.temporaryDirectory("bound-statement") + "/test.db")
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, key INTEGER NOT NULL, body BLOB NOT NULL UNIQUE)")
        }
        return queue
    }

    @Test("values bound by position round-trip, empty blobs included, and rows are scanned until one matches")
    func roundTrip() throws {
        let queue = try Self.database()
        try queue.write { db in
            let insert = try BoundStatement(db, sql: "INSERT INTO items (key, body) VALUES (?, ?)")
            for (key, body) in [(7, [UInt8]()), (7, [1, 2, 3]), (7, [4, 5]), (-9, [6])] as [(Int64, [UInt8])] {
                try insert.bind(key, at: 1)
                try insert.bind(body, at: 2)
                try insert.run()
            }
            let select = try BoundStatement(db, sql: "SELECT body, id FROM items WHERE key = ? ORDER BY id")
            try select.bind(7, at: 1)
            #expect(try select.first(where: { $0.bytes(0).elementsEqual([4, 5]) ? $0.int64(1) : nil }) == 3)
            // Reset after each use: the same statement runs again from the first row.
            try select.bind(7, at: 1)
            #expect(try select.first(where: { $0.bytes(0).isEmpty ? $0.int64(1) : nil }) == 1)
            try select.bind(-9, at: 1)
            #expect(try select.first(where: { Array($0.bytes(0)) }) == [6])
            try select.bind(8, at: 1)
            #expect(try select.first(where: { _ in true }) == nil)
        }
    }

    @Test("text binds as TEXT, the empty string and embedded NULs included; nil binds NULL")
    func text() throws {
        let queue = try Self.database()
        let values: [String?] = ["job_01", "", "é ✓ 🚀", "a\u{0}b", nil]
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE texts (position INTEGER PRIMARY KEY, value TEXT)")
            let insert = try BoundStatement(db, sql: "INSERT INTO texts (position, value) VALUES (?, ?)")
            for (position, value) in values.enumerated() {
                try insert.bind(Int64(position), at: 1)
                try insert.bind(value, at: 2)
                try insert.run()
            }
            // hex(): GRDB reads text as a C string, which would stop at the NUL.
            let rows = try Row.fetchAll(db, sql: "SELECT hex(value), typeof(value) FROM texts ORDER BY position")
            #expect(rows.map { $0[0] as String } == values.map { ($0 ?? "").utf8.map { String(format: "%02X", $0) }.joined() })
            #expect(rows.map { $0[1] as String } == ["text", "text", "text", "text", "null"])
        }
    }

    @Test("a failing step throws SQLite's error with the statement, and the statement stays usable")
    func failure() throws {
        let queue = try Self.database()
        try queue.write { db in
            let insert = try BoundStatement(db, sql: "INSERT INTO items (key, body) VALUES (?, ?)")
            try insert.bind(1, at: 1)
            try insert.bind([9], at: 2)
            try insert.run()
            try insert.bind(2, at: 1)
            let error = #expect(throws: DatabaseError.self) { try insert.run() }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
            #expect(error?.message?.contains("items.body") == true)
            #expect(error?.sql?.hasPrefix("INSERT INTO items") == true)
            try insert.bind([10], at: 2)
            try insert.run()
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") == 2)
        }
    }
}
