/// A secret value that cannot leak by accident.
///
/// Printing, interpolating or dumping it shows `<redacted>`; only ``reveal()`` returns the value,
/// so every place that uses the secret is easy to find.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Where the value came from: the environment or `.env` (or their `_FILE` forms), or the file
    /// in the data folder where a development nsd keeps a secret it generated.
    public enum Origin: Sendable, Equatable {
        case configured
        case developmentFile(String)
    }

    private let value: String
    public let origin: Origin

    public init(_ value: String, origin: Origin = .configured) {
        self.value = value
        self.origin = origin
    }

    /// The secret's bytes as UTF-8; call only where the value is needed, never to log it.
    public func reveal() -> String { value }

    /// Length in UTF-8 bytes, which is what the 32-byte minimum counts.
    public var byteCount: Int { value.utf8.count }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
