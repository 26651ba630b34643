/// The correlation id that follows one request across nodes (`X-Request-ID`).
///
/// A client-supplied id is kept when it is 1 to 128 visible ASCII characters (0x21–0x7E), so it
/// can go into logs and headers unchanged; anything else is replaced by a generated one.
public enum RequestID {
    /// The header name every node reads, echoes and forwards.
    public static let headerName = "X-Request-ID"

    public static func isValid(_ candidate: String) -> Bool {
        let bytes = candidate.utf8
        return (1...128).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The caller's id when valid, otherwise a new one.
    public static func accept(_ candidate: String?) -> String {
        if let candidate, isValid(candidate) { return candidate }
        return generate()
    }

    /// `req_` followed by 24 lowercase hex digits of randomness.
    public static func generate() -> String {
        "req_" + Hex.encode(SecureRandom.identifierBytes(12))
    }
}
