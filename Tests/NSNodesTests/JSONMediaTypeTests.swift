import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import NSQueue
import Testing

@Suite("JSON media type")
struct JSONMediaTypeTests {
    /// The 415 detail for `contentType`, or `nil` when it is accepted.
    static func refusal(_ contentType: String?) -> String? {
        do {
            try JSONMediaType.check(contentType)
            return nil
        } catch {
            guard case .unsupportedMediaType(let detail) = error else { return "unexpected \(error)" }
            return detail
        }
    }

    @Test("application/json alone or with charset=utf-8 is accepted, in any case and spacing", arguments: [
        "application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
        "application/json ; charset=\"utf-8\"", "application/json;", " application/json\t",
    ])
    func accepted(contentType: String) {
        #expect(Self.refusal(contentType) == nil)
    }

    @Test("other types, other charsets and other parameters are refused, each naming what is wrong", arguments: [
        ("application/jsonp", "Content-Type \"application/jsonp\" is not JSON"),
        ("application/json5", "Content-Type \"application/json5\" is not JSON"),
        ("application/json-patch+json", "Content-Type \"application/json-patch+json\" is not JSON"),
        ("application/jsonx; charset=utf-8", "Content-Type \"application/jsonx\" is not JSON"),
        ("text/plain", "Content-Type \"text/plain\" is not JSON"),
        ("application/ json", "is not JSON"),
        ("application/json; charset=iso-8859-1", "charset \"iso-8859-1\" is not accepted; JSON bodies are UTF-8"),
        ("application/json; charset=utf8", "charset \"utf8\" is not accepted"),
        ("application/json; charset=\"utf-8", "is not accepted"),
        ("application/json; profile=x", "application/json takes no parameter \"profile=x\""),
        ("application/json; charset", "takes no parameter \"charset\""),
        ("", "the request has no Content-Type"),
    ])
    func refused(contentType: String, expected: String) {
        let detail = Self.refusal(contentType)
        #expect(detail?.contains(expected) == true, "\(contentType): \(detail ?? "accepted")")
    }

    @Test("no Content-Type at all is refused")
    func missing() {
        #expect(Self.refusal(nil)?.contains("no Content-Type") == true)
    }

    @Test("the gateway answers 415 problem+json for a JSON look-alike and enqueues nothing")
    func gatewayRefuses() async throws {
        let fixture = try GatewayFixture()
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.router) { client in
            for type in ["application/jsonp", "application/json5", "application/json-patch+json", "application/json; charset=iso-8859-1"] {
                for path in ["/api/submit", "/api/submit-batch"] {
                    let body = path == "/api/submit" ? #"{"content":"x"}"# : #"{"items":[{"content":"x"}]}"#
                    try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: type],
                                             body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .unsupportedMediaType, "\(path) \(type)")
                        #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                        #expect(response.problem?.status == 415)
                    }
                }
            }
            try await client.execute(uri: "/api/submit", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json; charset=utf-8"],
                                     body: ByteBuffer(string: #"{"content":"x"}"#)) { response in
                #expect(response.status == .accepted)
            }
        }
        #expect(try await fixture.queue.counts().total(.queued) == 1, "only the application/json submission was enqueued")
    }
}
