import GRDB
import GRDBSQLite

/// A prepared statement driven through SQLite's own binding and stepping calls, for statements
/// that run once per row on a hot path: the ledger's per-transaction lookups in a block append,
/// and the queue's insert of each enqueued job.
///
/// GRDB's `execute(arguments:)` builds a `StatementArguments` array of `DatabaseValue`s (and a
/// `Data` for every blob) per call; at a thousand rows per block that bookkeeping cost more than
/// SQLite's own work. Here values go straight to `sqlite3_bind_*`. Use it only inside a write
/// transaction the caller opened through GRDB, on the connection that prepared `statement`.
package struct BoundStatement {
    private let statement: Statement
    private let db: Database

    /// `sql` is prepared once per connection and cached by GRDB.
    package init(_ db: Database, sql: String) throws {
        self.db = db
        self.statement = try db.cachedStatement(sql: sql)
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    /// Binds `value` to the 1-based parameter `index`.
    package func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds `value`'s UTF-8 as text, or NULL when it is `nil`. All of the bytes are stored, a
    /// NUL included, but GRDB reads text back only up to the first NUL: bind such strings as blobs.
    package func bind(_ value: String?, at index: Int32) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index)) }
        var text = value
        let code = text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                // As for blobs: a non-null pointer for the empty string, which SQLite would otherwise bind as NULL.
                sqlite3_bind_text(handle, index, characters.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(characters.count), boundCopy)
            }
        }
        try check(code)
    }

    /// Binds a copy of `bytes` (SQLite copies them, so the array need not outlive the call).
    package func bind(_ bytes: [UInt8], at index: Int32) throws {
        let code = bytes.withUnsafeBytes { buffer in
            // An empty array may have no base address; SQLite wants a non-null pointer for a
            // zero-length blob rather than NULL.
            sqlite3_bind_blob(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), boundCopy)
        }
        try check(code)
    }

    /// Runs a statement that returns no rows, then resets it for the next use.
    package func run() throws {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Runs a query and hands each row to `body` until it returns a value, which is the answer;
    /// `nil` when no row gave one. The statement is reset afterwards.
    package func first<Value>(where body: (BoundRow) -> Value?) throws -> Value? {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW:
                if let value = body(BoundRow(handle: handle)) { return value }
            case SQLITE_DONE:
                return nil
            default:
                throw error(code)
            }
        }
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}

/// The current row of a ``BoundStatement``, valid only inside the closure that receives it.
package struct BoundRow {
    fileprivate let handle: SQLiteStatement

    /// The column's bytes, borrowed from SQLite until the statement steps again.
    package func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: sqlite3_column_blob(handle, column), count: Int(sqlite3_column_bytes(handle, column)))
    }

    package func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }
}

/// SQLite's `SQLITE_TRANSIENT`: copy the value during the bind call.
private let boundCopy = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
