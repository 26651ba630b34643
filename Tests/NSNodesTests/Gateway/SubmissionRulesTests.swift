import NSCore
import Testing
@testable import NSNodes

/// The shortcuts validation takes on the hot path, checked against the exact measures they skip.
@Suite("submission rules")
struct SubmissionRulesTests {
    @Test("the metadata size bound is never below the canonical JSON size, whatever the characters")
    func sizeBound() {
        let pieces = ["a", "é", "😀", "\"", "\\", "\u{1}", "\n", "\u{7F}", "｡", "~/"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<500 {
            var members: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0...8, using: &generator) {
                let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
                let key = "k\(index)" + (pieces.randomElement(using: &generator) ?? "")
                members[key] = switch (round + index) % 4 {
                case 0: .string(text)
                case 1: .int(Int64.random(in: .min ... .max, using: &generator))
                case 2: .bool(index.isMultiple(of: 2))
                default: .string(String(repeating: "\u{1}", count: index * 7))
                }
            }
            #expect(SubmissionRules.encodedSizeBound(members) >= CanonicalJSON.encode(.object(members)).count, "\(members)")
        }
    }

    @Test("content length counts characters, not bytes, at the limit", arguments: [
        ("é", 20, true), ("é", 21, false), ("😀", 20, true), ("x", 20, true), ("x", 21, false), ("x", 0, false),
    ])
    func contentLength(character: String, count: Int, valid: Bool) {
        let body: JSONValue = ["content": .string(String(repeating: character, count: count))]
        let outcome = SubmissionRules.validate(body, at: "", maxContentChars: 20)
        if case .valid = outcome { #expect(valid) } else { #expect(!valid) }
    }

    @Test("metadata values count characters too: 1,024 two-byte characters pass, 1,025 do not")
    func metadataValueLength() {
        #expect(SubmissionRules.metadataErrors(["k": .string(String(repeating: "é", count: 1_024))], at: "/metadata").isEmpty)
        #expect(SubmissionRules.metadataErrors(["k": .string(String(repeating: "é", count: 1_025))], at: "/metadata").map(\.pointer) == ["/metadata/k"])
    }
}
