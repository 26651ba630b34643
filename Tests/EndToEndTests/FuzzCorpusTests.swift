import Foundation
import NSTestSupport
import Testing

@Suite("the committed fuzz corpora replay cleanly")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("every input in Fuzz/corpus passes its target's checks; the valid seeds are still accepted", arguments: ["tx", "block", "resp", "sanitiser", "checkpoint"])
    func replay(target: String) throws {
        let binary = (try NSDInstance.binary() as NSString).deletingLastPathComponent + "/fuzz-parsers"
        let result = try Tools.run(binary, ["replay", target, "\(Self.root)/Fuzz/corpus/\(target)"])
        #expect(result.status == 0, "\(result.output.suffix(2000))")
        let counts = result.output.split(separator: " ").compactMap { Int($0) }
        #expect(counts.count >= 2 && counts[0] >= 1, "replayed nothing: \(result.output)")
        #expect(counts.count >= 2 && counts[1] >= 1, "no input of \(target) is accepted any more: \(result.output)")
    }
}
