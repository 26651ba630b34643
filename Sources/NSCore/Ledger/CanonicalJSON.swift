/// The ledger's canonical JSON: object keys sorted by their UTF-16 code units (as RFC 8785
/// does), no insignificant whitespace, integers only, strings escaped minimally, UTF-8.
///
/// Two parties that agree on a value agree on its bytes, so `SHA-256(canonical bytes)` identifies
/// a transaction or block header whoever encodes it.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    /// Parses JSON text and returns the value (use ``encode(_:)`` for its canonical bytes).
    public static func decode(_ bytes: some Collection<UInt8>) throws(CanonicalJSONError) -> JSONValue {
        var parser = CanonicalJSONParser(Array(bytes))
        return try parser.parseDocument()
    }

    /// Parses JSON text and says whether it was already canonical, in which case `bytes` are
    /// exactly `encode(value)`.
    public static func decodeNotingCanonical(_ bytes: [UInt8]) throws(CanonicalJSONError) -> (value: JSONValue, isCanonical: Bool) {
        var parser = CanonicalJSONParser(bytes)
        let value = try parser.parseDocument()
        return (value, parser.isCanonical)
    }

    /// Parses a top-level object but only locates the elements of the array under `key`.
    public static func decodeObject(_ bytes: [UInt8], deferringArray key: String) throws(CanonicalJSONError) -> (members: [String: JSONValue], elements: [Range<Int>]?) {
        var parser = CanonicalJSONParser(bytes)
        return try parser.parseObjectDeferring(key)
    }

    /// Whether key `a` sorts before key `b` in canonical order.
    static func precedes(_ a: String, _ b: String) -> Bool {
        if a.utf8.allSatisfy({ $0 < 0xEE }) && b.utf8.allSatisfy({ $0 < 0xEE }) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .string(let string): appendString(string, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in sortedMembers(members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An object's members in the order of ``sortedKeys(_:)``.
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        let byBytes = bytesSortLikeUTF16(members.keys)
        return members.sorted { precedes($0.key, $1.key, byBytes: byBytes) }
    }

    /// Keys in UTF-16 code unit order (RFC 8785 section 3.2.3).
    static func sortedKeys(_ keys: some Collection<String>) -> [String] {
        let byBytes = bytesSortLikeUTF16(keys)
        return keys.sorted { precedes($0, $1, byBytes: byBytes) }
    }

    /// UTF-8 byte order is code point order, which equals UTF-16 order unless a key holds
    /// U+E000 or above (lead bytes 0xEE and up), so the cheaper byte comparison is used when no
    /// key does.
    private static func bytesSortLikeUTF16(_ keys: some Sequence<String>) -> Bool {
        keys.allSatisfy { $0.utf8.allSatisfy { $0 < 0xEE } }
    }

    private static func precedes(_ first: String, _ second: String, byBytes: Bool) -> Bool {
        byBytes ? first.utf8.lexicographicallyPrecedes(second.utf8) : first.utf16.lexicographicallyPrecedes(second.utf16)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let utf8 = string.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x00..<0x20:
                out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Why bytes are not acceptable ledger JSON; `offset` is the byte where parsing stopped.
public struct CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
