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

    @Test("invalid UTF-8 is rejected")
    func invalidUTF8() {
        #expect(throws: CanonicalJSONError.self) { _ = try CanonicalJSON.decode([0x22, 0xC3, 0x28, 0x22]) }
    }
}
