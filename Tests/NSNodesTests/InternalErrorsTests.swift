import Foundation
import GRDB
import NSTestSupport
import Testing
@testable import NSNodes

/// Failures no caller hears of: every one counted, repeating ones logged once a minute with the
/// number held back, and only error texts known to hold no secret written to the log.
@Suite("internal errors: counted, logged with their reason, rate-limited")
struct InternalErrorsTests {
    static let repeating = InternalErrors.Operation(label: "test_repeating", message: "the test's store call failed")
    static let other = InternalErrors.Operation(label: "test_other", message: "another store call failed")
    static let everyTime = InternalErrors.Operation(label: "test_every_time", message: "a request failed", level: .error, throttled: false)

    @Test("a repeating failure is counted each time, logged at most once a minute, and the next line says how many were held back")
    func rateLimited() {
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "vp-node")
        let errors = InternalErrors(metrics: metrics, logger: log.logger("vp-node"))
        let start = ContinuousClock.now
        for second in [0, 1, 30, 59] {
            errors.record(Self.repeating, reason: "disk I/O error", at: start + .seconds(second))
        }
        #expect(metrics.internalErrors("test_repeating") == 4)
        var lines = log.records(operation: "test_repeating")
        #expect(lines.count == 1)
        #expect(lines.first?["message"] == "the test's store call failed")
        #expect(lines.first?["reason"] == "disk I/O error")
        #expect(lines.first?["level"] == "warning")
        #expect(lines.first?["suppressed"] == nil)

        errors.record(Self.repeating, reason: "database is locked", at: start + .seconds(60))
        lines = log.records(operation: "test_repeating")
        #expect(lines.count == 2)
        #expect(lines.last?["suppressed"] == "3", "the three failures after the first line were held back")
        #expect(lines.last?["reason"] == "database is locked")

        // After a quiet spell the next failure is logged at once, with nothing held back.
        errors.record(Self.repeating, reason: "disk I/O error", at: start + .seconds(300))
        lines = log.records(operation: "test_repeating")
        #expect(lines.count == 3)
        #expect(lines.last?["suppressed"] == nil)
        #expect(metrics.internalErrors("test_repeating") == 6)
    }

    @Test("each operation has its own rate limit, and an unthrottled one is logged every time")
    func perOperation() {
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "ns-node")
        let errors = InternalErrors(metrics: metrics, logger: log.logger("ns-node"))
        let start = ContinuousClock.now
        errors.record(Self.repeating, reason: "one", at: start)
        errors.record(Self.other, reason: "two", at: start + .seconds(1))
        for second in 0..<3 { errors.record(Self.everyTime, reason: "three", at: start + .seconds(second)) }
        #expect(log.records(operation: "test_repeating").count == 1)
        #expect(log.records(operation: "test_other").count == 1)
        #expect(log.records(operation: "test_every_time").count == 3)
        #expect(log.records(operation: "test_every_time").allSatisfy { $0["level"] == "error" })
        #expect(metrics.internalErrors("test_other") == 1 && metrics.internalErrors("test_every_time") == 3)
    }

    @Test("an SQLite error is described by its code and SQLite's message, never its statement's arguments")
    func sqliteReason() throws {
        let path = try Tools.temporaryDirectory("internal-errors") + "/reason.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE secrets (value TEXT NOT NULL UNIQUE)") }
        try queue.write { try $0.execute(sql: "INSERT INTO secrets (value) VALUES (?)", arguments: ["hunter2-token"]) }
        let error = try #require(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "INSERT INTO secrets (value) VALUES (?)", arguments: ["hunter2-token"]) }
        }
        let reason = InternalErrors.reason(of: error)
        #expect(reason == "SQLite error 19: UNIQUE constraint failed: secrets.value")
        #expect(!reason.contains("hunter2"))
        #expect(InternalErrors.reason(of: CancellationError()) == "cancelled")
    }

    @Test("any other error is named by its type alone: its text might quote a token")
    func unknownReason() {
        let reason = InternalErrors.reason(of: QuotingFailure())
        #expect(reason.contains("QuotingFailure"))
        #expect(!reason.contains(QuotingFailure.token))
    }
}

/// An error whose text quotes what it was given, as client libraries' errors do.
struct QuotingFailure: Error, CustomStringConvertible {
    static let token = "Bearer eyJhbGciOi.secret-part"
    var description: String { "the header Authorization: \(Self.token) was refused" }
}
