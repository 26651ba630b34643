import Foundation

/// The ledger's clock: milliseconds since the Unix epoch, as block and transaction times count them.
public enum LedgerClock {
    /// This machine's wall clock; stores take another in tests.
    public static let wallMs: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
}
