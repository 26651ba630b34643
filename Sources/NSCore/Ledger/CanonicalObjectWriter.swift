/// Writes one canonical JSON object member by member, for hot paths whose keys are fixed: the
/// bytes are exactly what ``CanonicalJSON/encode(_:)`` writes for the same object, without
/// building a dictionary and sorting its keys on every call.
///
/// The caller must add the members in canonical key order (UTF-16 code unit order; for ASCII
/// keys, plain byte order) and each key once. Debug builds check both.
public struct CanonicalObjectWriter {
    private var out: [UInt8]
    private var lastKey: String?

    /// `capacity`: the expected size in bytes, to allocate once.
    public init(capacity: Int = 128) {
        out = []
        out.reserveCapacity(capacity)
        out.append(UInt8(ascii: "{"))
    }

    public mutating func add(_ key: String, _ value: String) {
        start(key)
        CanonicalJSON.appendString(value, to: &out)
    }

    public mutating func add(_ key: String, _ value: Int64) {
        start(key)
        out.append(contentsOf: String(value).utf8)
    }

    public mutating func add(_ key: String, _ value: JSONValue) {
        start(key)
        CanonicalJSON.append(value, to: &out)
    }

    /// `value` must already be canonical JSON (as ``CanonicalJSON/encode(_:)`` writes it).
    public mutating func add(_ key: String, encoded value: [UInt8]) {
        start(key)
        out.append(contentsOf: value)
    }

    /// The finished object.
    public consuming func bytes() -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        return out
    }

    private mutating func start(_ key: String) {
        if let lastKey {
            assert(lastKey.utf16.lexicographicallyPrecedes(key.utf16), "canonical JSON members must be added in key order: \(lastKey) before \(key)")
            out.append(UInt8(ascii: ","))
        }
        lastKey = key
        CanonicalJSON.appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
    }
}
