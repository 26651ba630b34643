import Foundation
import GRDB
import NSCore
@testable import NSLedger
import NSTestSupport

/// The database engines every engine-neutral ledger suite runs against (`@Test(arguments: LedgerEngine.allCases)`).
/// A new engine is a new case here and in the switches of this file; the suites do not change.
enum LedgerEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite

    var description: String { rawValue }

    /// A fresh ledger on a real database (for SQLite, `fixture`'s new file), with the fixture's
    /// producer key in its validator set and its fixed clock.
    func make(fixture: LedgerFixture? = nil, mempoolMax: Int = 100_000, maxBlockTxs: Int = BlockRules.defaultMaxTxs,
              lookupBatch: Int = 16_384) async throws -> LedgerUnderTest {
        let fixture = try fixture ?? LedgerFixture()
        switch self {
        case .sqlite:
            let open: @Sendable () throws -> SQLiteLedgerStore = {
                try fixture.openStore(mempoolMax: mempoolMax, maxBlockTxs: maxBlockTxs, lookupBatch: lookupBatch)
            }
            let store = try open()
            return LedgerUnderTest(engine: self, fixture: fixture, store: store, sqlite: store, reopen: { try open() })
        }
    }
}

/// A ledger under test: its store, the fixture that builds its blocks, and what keeps it running.
struct LedgerUnderTest: Sendable {
    let engine: LedgerEngine
    let fixture: LedgerFixture
    let store: any LedgerStore
    /// The SQLite engine's store, for checks on what only it holds (its schedule, its tables); nil on other engines.
    let sqlite: SQLiteLedgerStore?
    /// Opens another store over the same data, as a restarted node would.
    let reopen: @Sendable () async throws -> any LedgerStore

    var reader: any LedgerReader { store.reader }

    /// Audits the stored chain as `nsctl chain verify` does offline.
    func audit() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        switch engine {
        case .sqlite: try await ChainAudit.audit(path: fixture.path)
        }
    }

    /// The audit's fault, or nil when the chain verifies.
    func fault() async throws -> ChainVerifier.Fault? {
        if case .failure(let fault) = try await audit() { return fault }
        return nil
    }

    /// Changes the stored ledger behind the store's back, as an attacker with access to the
    /// database would: one SQL statement on tables named as in SQLite's schema. Byte values are
    /// written with ``bytes(_:)`` and text edits of byte columns with ``replacing(_:with:inBytes:)``,
    /// since engines spell those differently.
    func tamper(_ sql: String) async throws {
        switch engine {
        case .sqlite:
            let queue = try DatabaseQueue(path: fixture.path)
            try await queue.write { try $0.execute(sql: sql) }
            try queue.close()
        }
    }

    /// A byte-string literal in the engine's SQL.
    func bytes(_ value: [UInt8]) -> String {
        switch engine {
        case .sqlite: "X'\(Hex.encode(value))'"
        }
    }

    /// An SQL expression: the byte column `column` read as UTF-8 text with `old` replaced by `new`, as bytes again.
    func replacing(_ old: String, with new: String, inBytes column: String) -> String {
        switch engine {
        case .sqlite: "CAST(replace(CAST(\(column) AS TEXT), '\(old)', '\(new)') AS BLOB)"
        }
    }

    /// Ends what the engine started for this test (a server, connections).
    func stop() async {}
}
