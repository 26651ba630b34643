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

    @Test("an object written member by member, in key order, is byte for byte the encoding of the whole")
    func writtenMemberByMember() {
        var writer = CanonicalObjectWriter(capacity: 4)
        writer.add("\u{1}", "\"quoted\" \u{7}")
        writer.add("a", Self.values[0])
        writer.add("b", encoded: CanonicalJSON.encode(Self.values[1]))
        writer.add("count", Int64.min)
        writer.add("é", "🚀")
        writer.add("😀", Int64(7))
        writer.add("｡", .null)
        let whole: JSONValue = ["\u{1}": "\"quoted\" \u{7}", "a": Self.values[0], "b": Self.values[1], "count": .int(.min), "é": "🚀", "😀": 7, "｡": .null]
        #expect(writer.bytes() == CanonicalJSON.encode(whole))
        #expect(CanonicalObjectWriter().bytes() == Array("{}".utf8))
    }

    @Test("an artifact job's payload is the canonical encoding of its fields, and reads back", arguments: [
        ArtifactJob(content: "plain", metadata: [:], submitter: "alice", submittedAt: 1_765_056_600_000, requestID: "req_1"),
        ArtifactJob(content: "line\n\"two\" é 🚀", metadata: ["😀": "x", "｡": 2, "lang": "en", "ok": true], submitter: "b\u{1}",
                    submittedAt: 0, requestID: ""),
    ])
    func artifactPayload(job: ArtifactJob) {
        let fields: JSONValue = ["content": .string(job.content), "metadata": .object(job.metadata), "requestId": .string(job.requestID),
                                 "submittedAt": .int(job.submittedAt), "submitter": .string(job.submitter)]
        #expect(job.encoded() == CanonicalJSON.encode(fields))
        #expect(ArtifactJob(payload: job.encoded()) == job)
    }
}
