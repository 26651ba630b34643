import NSCore
import Testing

@Suite("request ids")
struct RequestIDTests {
    @Test("1 to 128 visible ASCII characters are accepted as they are")
    func acceptsValid() {
        #expect(RequestID.accept("abc-123") == "abc-123")
        let longest = String(repeating: "a", count: 128)
        #expect(RequestID.accept(longest) == longest)
    }

    @Test("anything else is replaced by a generated id", arguments: ["", "has space", String(repeating: "a", count: 129), "tab\t", "é", "new\nline"])
    func replacesInvalid(candidate: String) {
        let accepted = RequestID.accept(candidate)
        #expect(accepted != candidate)
        #expect(RequestID.isValid(accepted))
        #expect(accepted.hasPrefix("req_") && accepted.count == 28)
    }

    @Test("generated ids differ")
    func generatedDiffer() {
        #expect(Set((0..<100).map { _ in RequestID.generate() }).count == 100)
    }
}
