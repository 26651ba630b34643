import NSCore
import Testing

@Suite("canonical JSON")
struct CanonicalJSONTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: CanonicalJSON.encode(try CanonicalJSON.decode(Array(text.utf8))), as: UTF8.self)
    }

    @Test("sorted keys, no whitespace, minimal escapes, UTF-8 kept")
    func canonicalForm() throws {
        #expect(try canonical(#" { "b" : [1, -2, true, null], "a": {"z": "x", "é": "ü\u00e9"}, "\u0001": "\n\t\"\\/" } "#)
            == #"{"\u0001":"\n\t\"\\/","a":{"z":"x","é":"üé"},"b":[1,-2,true,null]}"#)
    }

    @Test("keys are ordered by UTF-16 code units, as RFC 8785 orders them")
    func utf16Order() throws {
        // U+FF61 sorts after U+1F600 in UTF-8 byte order but before it in UTF-16 (surrogates are 0xD8xx).
        #expect(try canonical(#"{"😀":1,"｡":2,"a":3}"#) == #"{"a":3,"😀":1,"｡":2}"#)
    }

    @Test("encoding is stable: decode(encode(x)) encodes to the same bytes")
    func roundTrip() throws {
        let value: JSONValue = ["k": ["nested": [1, 2, ["deep": "v"]]], "e": "", "n": -9_007_199_254_740_991]
        let bytes = CanonicalJSON.encode(value)
        #expect(try CanonicalJSON.decode(bytes) == value)
        #expect(CanonicalJSON.encode(try CanonicalJSON.decode(bytes)) == bytes)
    }

    @Test("rejected input", arguments: [
        ("1.5", "only integers"), ("1e3", "only integers"), ("9007199254740992", "out of range"), ("01", "leading zero"),
        (#"{"a":1,"a":2}"#, "duplicate key"), (#""\ud800""#, "lone surrogate"), ("[1,]", "unexpected character"),
        ("{} x", "after the value"), ("\"tab\tin\"", "control character"), ("nul", "unknown literal"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nested deeper"),
    ])
    func rejects(text: String, reason: String) {
        #expect {
            _ = try CanonicalJSON.decode(Array(text.utf8))
        } throws: { error in
            (error as? CanonicalJSONError)?.reason.contains(reason) == true
        }
    }

    /// A string's bytes, between quotes, optionally after an escape so the run checked starts mid-string.
    static func quoted(_ bytes: [UInt8], afterEscape: Bool) -> [UInt8] {
        [0x22] + (afterEscape ? Array(#"a\n"#.utf8) : []) + bytes + [0x22]
    }

    @Test("invalid UTF-8 is rejected wherever it is in a string", arguments: [
        [0xC3, 0x28],              // a lead byte without its continuation
        [0xF0, 0x9F, 0x98],        // a 4-byte sequence cut short: replaced by one U+FFFD of the same length
        [0xED, 0xA0, 0x80],        // an encoded surrogate
        [0xC0, 0xAF],              // an overlong encoding
        [0x80],                    // a stray continuation byte
        [0x61, 0xFF, 0x62],        // a byte that never occurs in UTF-8
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
    ] as [[UInt8]], [false, true])
    func invalidUTF8(bytes: [UInt8], afterEscape: Bool) {
        let error = #expect(throws: CanonicalJSONError.self) { _ = try CanonicalJSON.decode(Self.quoted(bytes, afterEscape: afterEscape)) }
        #expect(error?.reason == "invalid UTF-8")
    }

    @Test("valid UTF-8 of every length decodes to the same text", arguments: ["é", "€ and 中文", "😀👍🏽", "e\u{301}", "plain ASCII"], [false, true])
    func validUTF8(text: String, afterEscape: Bool) throws {
        let decoded = try CanonicalJSON.decode(Self.quoted(Array(text.utf8), afterEscape: afterEscape))
        #expect(decoded == .string((afterEscape ? "a\n" : "") + text))
    }

    @Test("canonical input is recognised as such, and its bytes are exactly the encoding")
    func recognisesCanonical() throws {
        let value: JSONValue = ["b": [1, -2, true, nil], "a": ["z": "x\u{1F}y\n\"\\", "é": "ü"], "k": ["nested": ["deep": 0]]]
        let bytes = CanonicalJSON.encode(value)
        let (parsed, isCanonical) = try CanonicalJSON.decodeNotingCanonical(bytes)
        #expect(isCanonical)
        #expect(parsed == value)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let random = Self.randomValue(depth: 0, using: &generator)
            let encoded = CanonicalJSON.encode(random)
            let decoded = try CanonicalJSON.decodeNotingCanonical(encoded)
            #expect(decoded.isCanonical && decoded.value == random)
        }
    }

    @Test("non-canonical spellings are noticed", arguments: [
        #"{"a":1, "b":2}"#, #"{"b":1,"a":2}"#, #"["\/"]"#, #"["\u0041"]"#, #"["\u001F"]"#, #"["\u000a"]"#, "[-0]", " [1]", "[1]\n",
    ])
    func noticesNonCanonical(text: String) throws {
        let (value, isCanonical) = try CanonicalJSON.decodeNotingCanonical(Array(text.utf8))
        #expect(!isCanonical)
        #expect(CanonicalJSON.encode(value) != Array(text.utf8))
    }

    @Test("a block body's transactions are located without being parsed, strings and nesting respected")
    func deferredArray() throws {
        let text = #"{"header":{"h":1},"txs":[{"s":"a]}\"[{"},[1,[2]],"x",7, {"e":{}} ]}"#
        let bytes = Array(text.utf8)
        let (members, elements) = try CanonicalJSON.decodeObject(bytes, deferringArray: "txs")
        #expect(members["header"] == ["h": 1])
        let pieces = try #require(elements).map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(pieces == [#"{"s":"a]}\"[{"}"#, "[1,[2]]", #""x""#, "7", #"{"e":{}}"#])
        for bad in [#"{"txs":[{"a":1}"#, #"{"txs":[1,]}"#, #"{"txs":["open]}"#, #"{"txs":[1]} tail"#] {
            #expect(throws: CanonicalJSONError.self) { _ = try CanonicalJSON.decodeObject(Array(bad.utf8), deferringArray: "txs") }
        }
    }

    static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> JSONValue {
        let pool = ["a", "b", "Z", "é", "😀", "｡", "k_1", "", "\u{7F}", "\u{01}", "\"", "\\", "/"]
        // The pool is a non-empty literal, so randomElement always has an element.
        func string() -> String { (0..<Int.random(in: 0...3, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined() }
        switch depth >= 3 ? Int.random(in: 0...3, using: &generator) : Int.random(in: 0...5, using: &generator) {
        case 0: return .int(Int64.random(in: -1_000_000...1_000_000, using: &generator))
        case 1: return .string(string())
        case 2: return .bool(Bool.random(using: &generator))
        case 3: return .null
        case 4: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) { members[string()] = randomValue(depth: depth + 1, using: &generator) }
            return .object(members)
        }
    }
}
