/// Durations as operators type them: a whole number and a unit, `90s`, `15m`, `12h`, `7d`.
/// `nsctl` flags (`--ttl`, `--older-than`) and the `JWT_MAX_TTL` setting read them the same way.
public enum DurationText {
    private static let units: [(suffix: Character, seconds: Int)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// What went wrong with a text that is not a duration.
    public enum Failure: Error, Sendable, Equatable {
        /// Not a positive whole number followed by a unit.
        case notADuration
        /// A number followed by something other than s, m, h or d.
        case unknownUnit
    }

    /// The whole seconds `text` names: a positive number followed by `s`, `m`, `h` or `d`.
    public static func seconds(_ text: String) -> Result<Int, Failure> {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return .failure(.notADuration) }
        guard let scale = units.first(where: { $0.suffix == unit })?.seconds else { return .failure(.unknownUnit) }
        let (product, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow ? .failure(.notADuration) : .success(product)
    }

    /// `seconds` in the largest unit that divides it exactly: `2592000` is `30d`, `5400` is `90m`.
    public static func format(seconds: Int) -> String {
        let (suffix, scale) = units.first { seconds != 0 && seconds % $0.seconds == 0 } ?? ("s", 1)
        return "\(seconds / scale)\(suffix)"
    }
}
