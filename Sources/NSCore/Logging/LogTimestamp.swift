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
