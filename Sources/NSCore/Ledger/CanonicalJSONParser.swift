/// A strict JSON parser for ledger input: RFC 8259 syntax, plus the ledger's rules: integers only
/// (within ±(2^53 − 1)), no duplicate keys, valid UTF-8, no lone surrogates, nesting at most 64.
///
/// It also notes whether the input was already in canonical form (``isCanonical``): no
/// whitespace, keys in order, minimal escapes, no `-0`. Producers send canonical transactions, so
/// ns-node can keep their bytes instead of encoding them again.
struct CanonicalJSONParser {
    static let maxDepth = 64
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private(set) var isCanonical = true

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(CanonicalJSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    private func fail(_ reason: String) -> CanonicalJSONError {
        CanonicalJSONError(offset: index, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                isCanonical = false
            default:
                return
            }
        }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(CanonicalJSONError) -> JSONValue {
        let expected = Array(literal.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("unknown literal")
        }
        index += expected.count
        return value
    }

    private mutating func parseValue() throws(CanonicalJSONError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInteger())
        default: throw fail("unexpected character")
        }
    }

    private mutating func enter() throws(CanonicalJSONError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(CanonicalJSONError) -> JSONValue {
        try enter()
        index += 1
        // Transactions' objects have up to 9 members: room for them at once, rather than
        // growing (and rehashing) from 1 to 2 to 4 to 8 to 16.
        var members = [String: JSONValue](minimumCapacity: 8)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        var previousKey: String?
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyOffset = index
            let key = try parseString()
            if isCanonical, let previousKey, !CanonicalJSON.precedes(previousKey, key) { isCanonical = false }
            previousKey = key
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            guard members.updateValue(value, forKey: key) == nil else {
                throw CanonicalJSONError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            index += 1
            depth -= 1
            return .object(members)
        }
    }

    private mutating func parseArray() throws(CanonicalJSONError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            index += 1
            depth -= 1
            return .array(elements)
        }
    }

    private mutating func parseInteger() throws(CanonicalJSONError) -> Int64 {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        var magnitude: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            guard magnitude <= JSONValue.maxSafeInteger else { throw fail("integer out of range (±2^53−1)") }
            index += 1
        }
        guard index > digitsStart else { throw fail("expected digits") }
        guard !(bytes[digitsStart] == UInt8(ascii: "0") && index - digitsStart > 1) else {
            throw CanonicalJSONError(offset: start, reason: "leading zero")
        }
        if negative && magnitude == 0 { isCanonical = false }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw fail("only integers are allowed")
        }
        return negative ? -magnitude : magnitude
    }

    private mutating func parseString() throws(CanonicalJSONError) -> String {
        index += 1
        var runStart = index
        var runIsASCII = true
        var text = ""
        func flushRun(_ end: Int) throws(CanonicalJSONError) {
            guard runStart < end else { return }
            let run = try Self.decodeUTF8(bytes, runStart..<end, isASCII: runIsASCII)
            text = text.isEmpty ? run : text + run
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                try flushRun(index)
                index += 1
                return text
            }
            if byte < 0x20 { throw fail("unescaped control character in string") }
            if byte == UInt8(ascii: "\\") {
                try flushRun(index)
                index += 1
                text.unicodeScalars.append(contentsOf: try parseEscape())
                runStart = index
                runIsASCII = true
                continue
            }
            if byte >= 0x80 { runIsASCII = false }
            index += 1
        }
        throw fail("unterminated string")
    }

    /// The text of `bytes[range]`, which must be valid UTF-8. Decoding replaces each invalid
    /// sequence with U+FFFD, so the bytes are valid exactly when decoding gives them back; ASCII
    /// needs no check. (`String(validating:)` costs more here than the rest of the parse.)
    private static func decodeUTF8(_ bytes: [UInt8], _ range: Range<Int>, isASCII: Bool) throws(CanonicalJSONError) -> String {
        let decoded: String? = bytes.withUnsafeBufferPointer { buffer in
            let run = UnsafeBufferPointer(rebasing: buffer[range])
            let text = String(decoding: run, as: UTF8.self)
            return isASCII || text.utf8.elementsEqual(run) ? text : nil
        }
        guard let decoded else { throw CanonicalJSONError(offset: range.lowerBound, reason: "invalid UTF-8") }
        return decoded
    }

    private mutating func parseEscape() throws(CanonicalJSONError) -> [Unicode.Scalar] {
        guard index < bytes.count else { throw fail("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return ["\""]
        case UInt8(ascii: "\\"): return ["\\"]
        case UInt8(ascii: "/"):
            isCanonical = false
            return ["/"]
        case UInt8(ascii: "b"): return ["\u{08}"]
        case UInt8(ascii: "f"): return ["\u{0C}"]
        case UInt8(ascii: "n"): return ["\n"]
        case UInt8(ascii: "r"): return ["\r"]
        case UInt8(ascii: "t"): return ["\t"]
        case UInt8(ascii: "u"):
            let escapeStart = index
            let high = try parseHex4()
            // The canonical form uses \u only for control characters without a short escape, in lowercase hex.
            if high >= 0x20 || [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(high)
                || bytes[escapeStart..<escapeStart + 4].contains(where: { (0x41...0x46).contains($0) }) {
                isCanonical = false
            }
            if (0xD800...0xDBFF).contains(high) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("lone surrogate")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate") }
                return [Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!]  // a valid surrogate pair is always a scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw fail("lone surrogate") }
            return [scalar]
        default: throw fail("invalid escape")
        }
    }

    private mutating func parseHex4() throws(CanonicalJSONError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Parses a top-level object, leaving the array under `deferredKey` unparsed: its elements'
    /// byte ranges are returned instead, so they can be parsed independently (and in parallel).
    mutating func parseObjectDeferring(_ deferredKey: String) throws(CanonicalJSONError) -> (members: [String: JSONValue], elements: [Range<Int>]?) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected an object") }
        index += 1
        // Transactions' objects have up to 9 members: room for them at once, rather than
        // growing (and rehashing) from 1 to 2 to 4 to 8 to 16.
        var members = [String: JSONValue](minimumCapacity: 8)
        var elements: [Range<Int>]?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return (members, nil)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            if key == deferredKey, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                guard elements == nil else { throw fail("duplicate key \"\(key)\"") }
                elements = try elementRanges()
            } else {
                guard members.updateValue(try parseValue(), forKey: key) == nil, !(key == deferredKey && elements != nil) else {
                    throw fail("duplicate key \"\(key)\"")
                }
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            index += 1
            skipWhitespace()
            guard index == bytes.count else { throw fail("unexpected data after the value") }
            return (members, elements)
        }
    }

    /// The byte ranges of an array's elements, found by scanning (strings and nesting respected)
    /// without building values; each range is parsed in full later.
    private mutating func elementRanges() throws(CanonicalJSONError) -> [Range<Int>] {
        index += 1
        var ranges: [Range<Int>] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return ranges
        }
        while true {
            skipWhitespace()
            let start = index
            try skipValue()
            ranges.append(start..<index)
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            index += 1
            return ranges
        }
    }

    private mutating func skipValue() throws(CanonicalJSONError) {
        var nesting = 0
        repeat {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { throw fail("unterminated string") }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                nesting += 1
                guard nesting <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard nesting > 0 else { throw fail("unexpected character") }
                nesting -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D:
                guard nesting > 0 else { return }
                index += 1
            default:
                index += 1
            }
        } while nesting > 0
    }
}
