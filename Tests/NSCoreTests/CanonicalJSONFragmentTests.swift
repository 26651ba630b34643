import NSCore
import Testing

@Suite("canonical JSON from encoded parts")
struct CanonicalJSONFragmentTests {
    static let values: [JSONValue] = [
        ["😀": 1, "｡": 2, "a": ["nested": [1, "x\n", .null]], "\u{1}": "\"", "é": true],
        [:], [], "plain", -42,
    ]

    @Test("an object of encoded members is byte for byte the encoding of the whole, keys in UTF-16 order")
    func objects() {
        var members: [String: JSONValue] = [:]
        for (index, value) in Self.values.enumerated() { members[["😀", "｡", "a", "\u{1}", "é"][index]] = value }
        let spliced = CanonicalJSON.object(ofEncoded: members.mapValues { CanonicalJSON.encode($0) })
        #expect(spliced == CanonicalJSON.encode(.object(members)))
        #expect(CanonicalJSON.object(ofEncoded: [:]) == Array("{}".utf8))
    }

    @Test("an array of encoded elements is byte for byte the encoding of the whole")
    func arrays() {
        #expect(CanonicalJSON.array(ofEncoded: Self.values.map { CanonicalJSON.encode($0) }) == CanonicalJSON.encode(.array(Self.values)))
        #expect(CanonicalJSON.array(ofEncoded: [[UInt8]]()) == Array("[]".utf8))
    }
}
