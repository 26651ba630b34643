import Foundation

/// RFC 3339 timestamps in UTC with millisecond precision (`2026-11-22T10:57:57.123Z`).
///
/// Built with `gmtime_r` rather than a `DateFormatter`: it runs on every log line and must be
/// safe to call from any thread.
public enum LogTimestamp {
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// Appends the current time's digits (`2026-11-22T10:57:57.123Z`) to a log line being built.
    static func appendNow(to line: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        append(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000), to: &line)
    }

    /// What ``format(seconds:milliseconds:)`` returns, appended to `line` as bytes, for the times
    /// a log line has: years 1970 to 9999, `milliseconds` 0 to 999.
    public static func append(seconds: Int, milliseconds: Int, to line: inout [UInt8]) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, then: "-", to: &line)
        appendDigits(Int(parts.tm_mon) + 1, width: 2, then: "-", to: &line)
        appendDigits(Int(parts.tm_mday), width: 2, then: "T", to: &line)
        appendDigits(Int(parts.tm_hour), width: 2, then: ":", to: &line)
        appendDigits(Int(parts.tm_min), width: 2, then: ":", to: &line)
        appendDigits(Int(parts.tm_sec), width: 2, then: ".", to: &line)
        appendDigits(milliseconds, width: 3, then: "Z", to: &line)
    }

    /// `value`'s last `width` decimal digits, zero-padded, then `separator`.
    private static func appendDigits(_ value: Int, width: Int, then separator: Unicode.Scalar, to line: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
        line.append(UInt8(ascii: separator))
    }

    /// The timestamp of a Unix time in milliseconds (job and block times).
    public static func format(unixMs: Int64) -> String {
        format(seconds: Int(unixMs / 1000), milliseconds: Int(unixMs % 1000))
    }

    public static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(milliseconds, 3))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
