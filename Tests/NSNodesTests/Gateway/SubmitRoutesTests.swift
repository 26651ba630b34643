import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import NSQueue
import Testing

@Suite("gateway submissions on a real SQLite queue")
struct SubmitRoutesTests {
    func queued(_ fixture: GatewayFixture) async throws -> Int {
        try await fixture.queue.counts().total(.queued)
    }

    @Test("202 with id, status and statusUrl; the job holds the artifact, its submitter and priority")
    func accepted() async throws {
        let fixture = try GatewayFixture()
        let token = try await GatewayFixture.token(sub: "alice")
        try await fixture.app().test(.router) { client in
            let body = #"{"content":"héllo wörld","metadata":{"lang":"en","n":3,"draft":false},"priority":"high"}"#
            try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .accepted)
                let json = try #require(response.json)
                let id = try #require(json["id"] as? String)
                #expect(json["status"] as? String == "queued")
                #expect(json["statusUrl"] as? String == "/api/status/\(id)")
                #expect(response.headers[.location] == "/api/status/\(id)")
                let job = try #require(try await fixture.queue.job(id: id))
                #expect(job.priority == .high)
                #expect(job.type == ArtifactJob.type)
                let artifact = try #require(ArtifactJob(payload: job.payload))
                #expect(artifact.content == "héllo wörld")
                #expect(artifact.submitter == "alice")
                #expect(artifact.metadata == ["lang": "en", "n": 3, "draft": false])
            }
        }
    }

    @Test("415, 413 and 422 (bad JSON, each field rule) enqueue nothing")
    func rejections() async throws {
        let fixture = try GatewayFixture(environment: ["MAX_BODY_BYTES": "2048", "MAX_ARTIFACT_CHARS": "20"])
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/submit", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"],
                                     body: ByteBuffer(string: #"{"content":"x"}"#)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token),
                                     body: ByteBuffer(string: #"{"content":"\#(String(repeating: "x", count: 4096))"}"#)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.problem?.status == 413)
            }
            let cases: [(String, [String])] = [
                (#"{"content": "unterminated"#, [""]),
                (#"[1,2]"#, [""]),
                (#"{"metadata":{}}"#, ["/content"]),
                (#"{"content":""}"#, ["/content"]),
                (#"{"content":"\#(String(repeating: "é", count: 21))"}"#, ["/content"]),
                (#"{"content":7}"#, ["/content"]),
                (#"{"content":"ok","metadata":[]}"#, ["/metadata"]),
                (#"{"content":"ok","metadata":{"a/b~c":"v"}}"#, ["/metadata/a~1b~0c"]),
                (#"{"content":"ok","metadata":{"\#(String(repeating: "k", count: 65))":"v"}}"#, ["/metadata/" + String(repeating: "k", count: 65)]),
                (#"{"content":"ok","metadata":{"nested":{"x":1}}}"#, ["/metadata/nested"]),
                (#"{"content":"ok","metadata":{"long":"\#(String(repeating: "v", count: 1025))"}}"#, ["/metadata/long"]),
                (#"{"content":"ok","priority":"urgent"}"#, ["/priority"]),
                (#"{"content":"ok","prio":"high"}"#, ["/prio"]),
                (#"{"content":"","priority":1,"extra":true}"#, ["/extra", "/content", "/priority"]),
            ]
            for (body, pointers) in cases {
                try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .unprocessableContent, "\(body)")
                    #expect(response.problem?.errors?.map(\.pointer) == pointers, "\(body)")
                }
            }
            var invalidUTF8 = ByteBuffer(string: #"{"content":"ab"#)
            invalidUTF8.writeBytes([0xC3, 0x28, 0xFF])
            invalidUTF8.writeString(#""}"#)
            try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token), body: invalidUTF8) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.problem?.errors?.first?.detail.contains("UTF-8") == true, "\(response.problem?.errors ?? [])")
            }
            let many = (0..<33).map { #""k\#($0)":1"# }.joined(separator: ",")
            try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token),
                                     body: ByteBuffer(string: #"{"content":"ok","metadata":{\#(many)}}"#)) { response in
                #expect(response.problem?.errors?.first?.pointer == "/metadata")
            }
        }
        #expect(try await queued(fixture) == 0)
    }

    @Test("metadata is bounded in total, so every accepted artifact fits in a ledger transaction")
    func metadataBytes() async throws {
        let fixture = try GatewayFixture()
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.router) { client in
            // 20 values of 1,000 four-byte characters: each within its limit, 80 KB together.
            let heavy = (0..<20).map { #""k\#($0)":"\#(String(repeating: "😀", count: 1_000))""# }.joined(separator: ",")
            try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(token),
                                     body: ByteBuffer(string: #"{"content":"ok","metadata":{\#(heavy)}}"#)) { response in
                #expect(response.problem?.errors?.map(\.pointer) == ["/metadata"])
                #expect(response.problem?.errors?.first?.detail.contains("16384") == true)
            }
        }
        #expect(try await queued(fixture) == 0)
    }

    @Test("Idempotency-Key: a replay returns the first answer and enqueues nothing; another body is 409; keys are per user")
    func idempotency() async throws {
        let fixture = try GatewayFixture()
        let alice = try await GatewayFixture.token(sub: "alice")
        let bob = try await GatewayFixture.token(sub: "bob")
        try await fixture.app().test(.router) { client in
            func submit(_ token: String, _ content: String) async throws -> (HTTPResponse.Status, String?, String?) {
                var headers = GatewayFixture.json(token)
                headers[.idempotencyKey] = "order-17"
                return try await client.execute(uri: "/api/submit", method: .post, headers: headers,
                                                body: ByteBuffer(string: #"{"content":"\#(content)"}"#)) { response in
                    (response.status, response.json?["id"] as? String, response.headers[.idempotentReplayed])
                }
            }
            let first = try await submit(alice, "one")
            let replay = try await submit(alice, "one")
            #expect(first.0 == .accepted && replay.0 == .accepted)
            #expect(first.1 != nil && replay.1 == first.1)
            #expect(first.2 == nil && replay.2 == "true")
            #expect(try await submit(alice, "two").0 == .conflict)
            let bobs = try await submit(bob, "one")
            #expect(bobs.0 == .accepted && bobs.1 != first.1, "the same key from another user is a different request")
            var headers = GatewayFixture.json(alice)
            headers[.idempotencyKey] = "has space"
            try await client.execute(uri: "/api/submit", method: .post, headers: headers, body: ByteBuffer(string: #"{"content":"x"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            // The longest key allowed fits the queue's unique key, single and batch alike (schemathesis found a 422 here).
            headers[.idempotencyKey] = String(repeating: "k", count: 255)
            for (uri, body) in [("/api/submit", #"{"content":"long"}"#), ("/api/submit-batch", #"{"items":[{"content":"long"}]}"#)] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .accepted, "\(uri): \(String(buffer: response.body))")
                }
            }
        }
        #expect(try await queued(fixture) == 4)
    }

    @Test("a batch is validated whole, then enqueued all or nothing, ids in item order")
    func batch() async throws {
        let fixture = try GatewayFixture(environment: ["MAX_BATCH_ITEMS": "5"])
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.router) { client in
            let bad = #"{"items":[{"content":"a"},{"content":"b"},{"content":"c"},{"content":""},{"content":"e","priority":"x"}]}"#
            try await client.execute(uri: "/api/submit-batch", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.problem?.errors?.map(\.pointer) == ["/items/3/content", "/items/4/priority"])
            }
            #expect(try await queued(fixture) == 0)
            let tooMany = #"{"items":[\#((0..<6).map { _ in #"{"content":"x"}"# }.joined(separator: ","))]}"#
            try await client.execute(uri: "/api/submit-batch", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: tooMany)) { response in
                #expect(response.problem?.errors?.map(\.pointer) == ["/items"])
            }
            try await client.execute(uri: "/api/submit-batch", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: #"{"items":[]}"#)) { response in
                #expect(response.status == .unprocessableContent)
            }
            let good = #"{"items":[{"content":"first"},{"content":"second","priority":"critical"},{"content":"third"}]}"#
            try await client.execute(uri: "/api/submit-batch", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: good)) { response in
                #expect(response.status == .accepted)
                let items = try #require(response.json?["items"] as? [[String: Any]])
                let ids = items.compactMap { $0["id"] as? String }
                #expect(ids.count == 3)
                var contents: [String] = []
                for id in ids {
                    let job = try #require(try await fixture.queue.job(id: id))
                    contents.append(ArtifactJob(payload: job.payload)?.content ?? "")
                }
                #expect(contents == ["first", "second", "third"])
            }
            var keyed = GatewayFixture.json(token)
            keyed[.idempotencyKey] = "batch-7"
            var firstIDs: [String] = []
            for attempt in 0..<2 {
                try await client.execute(uri: "/api/submit-batch", method: .post, headers: keyed,
                                         body: ByteBuffer(string: #"{"items":[{"content":"x1"},{"content":"x2"}]}"#)) { response in
                    #expect(response.status == .accepted)
                    let ids = (response.json?["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    if attempt == 0 { firstIDs = ids } else { #expect(ids == firstIDs, "a replayed batch answers the same ids") }
                }
            }
        }
        #expect(try await queued(fixture) == 5)
    }
}
