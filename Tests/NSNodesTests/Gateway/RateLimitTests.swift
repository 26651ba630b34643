import Foundation
import NIOCore
import Synchronization
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import Testing

@Suite("gateway rate limits")
struct RateLimitTests {
    final class ManualClock: Sendable {
        let now = Mutex<Int64>(0)
        func advance(_ ms: Int64) { now.withLock { $0 += ms } }
        var read: @Sendable () -> Int64 { { self.now.withLock { $0 } } }
    }

    @Test("a window allows the limit, then refuses until it resets; keys are independent")
    func window() async {
        let clock = ManualClock()
        let limiter = LocalRateLimiter(limit: 3, window: .seconds(10), now: clock.read)
        var decisions: [RateLimitDecision] = []
        for _ in 0..<4 { decisions.append(await limiter.hit("ip:a")) }
        #expect(decisions.map(\.allowed) == [true, true, true, false])
        #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
        #expect(decisions.last?.resetSeconds == 10)
        #expect(await limiter.hit("ip:b").allowed)
        clock.advance(9_500)
        #expect(await limiter.hit("ip:a").resetSeconds == 1)
        clock.advance(500)
        #expect(await limiter.hit("ip:a").remaining == 2, "a new window starts")
    }

    @Test("memory is bounded: expired windows are swept and live keys are capped")
    func bounded() async {
        let clock = ManualClock()
        let limiter = LocalRateLimiter(limit: 5, window: .seconds(1), maxKeys: 100, now: clock.read)
        for index in 0..<1_000 { _ = await limiter.hit("ip:\(index)") }
        #expect(limiter.keyCount == 100)
        clock.advance(1_000)
        _ = await limiter.hit("ip:new")
        #expect(limiter.keyCount == 1)
    }

    @Test("429 with Retry-After past the limit; every API response carries RateLimit headers")
    func refusesOverLimit() async throws {
        let fixture = try GatewayFixture(environment: ["RATE_LIMIT_MAX_REQUESTS": "3", "RATE_LIMIT_WINDOW_MS": "60000"])
        let token = try await GatewayFixture.token()
        try await fixture.app().test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                // Not a possible job id: 404 from the gateway itself, without asking ns-node (absent here).
                try await client.execute(uri: "/api/status/no.such.job", method: .get, headers: GatewayFixture.bearer(token)) { response in
                    statuses.append(response.status)
                    #expect(response.headers[.rateLimitLimit] == "3")
                    #expect(response.headers[.rateLimitRemaining] != nil)
                    #expect(response.headers[.rateLimitReset].flatMap(Int.init).map { (1...60).contains($0) } == true)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
                        #expect(response.problem?.status == 429)
                    }
                }
            }
            #expect(statuses == [.notFound, .notFound, .notFound, .tooManyRequests])
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok, "probes are not rate limited")
            }
        }
    }

    @Test("X-Forwarded-For counts only from a trusted proxy; the user limit holds across addresses")
    func forwardedFor() async throws {
        let trusted = try GatewayFixture(environment: ["RATE_LIMIT_MAX_REQUESTS": "2", "TRUSTED_PROXIES": "127.0.0.0/8,::1"])
        let alice = try await GatewayFixture.token(sub: "alice")
        try await trusted.app().test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            // Anonymous clients behind the proxy are told apart by the header; a client-supplied hop
            // left of the proxy's entry cannot pick a fresh address; one user from three addresses
            // is stopped by the per-user counter.
            let requests: [(String, String?)] = [
                ("203.0.113.1", nil), ("203.0.113.1", nil), ("203.0.113.1", nil), ("203.0.113.2", nil), ("198.51.100.7, 203.0.113.1", nil),
                ("192.0.2.1", alice), ("192.0.2.2", alice), ("192.0.2.3", alice),
            ]
            for (forwarded, token) in requests {
                statuses.append(try await Self.status(client, forwardedFor: forwarded, token: token))
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests, .unauthorized, .tooManyRequests,
                                 .notFound, .notFound, .tooManyRequests])
        }
        let untrusted = try GatewayFixture(environment: ["RATE_LIMIT_MAX_REQUESTS": "2"])
        try await untrusted.app().test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<3 {
                try await client.execute(uri: "/api/status/none", method: .get, headers: [.forwardedFor: "203.0.113.\(index)"]) { statuses.append($0.status) }
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests], "without TRUSTED_PROXIES the socket address counts")
        }
    }

    @Test("a 429 names the counter that ran out: the client address, or the user (the token's sub)")
    func refusalNamesCounter() async throws {
        let fixture = try GatewayFixture(environment: ["RATE_LIMIT_MAX_REQUESTS": "2", "TRUSTED_PROXIES": "127.0.0.0/8,::1"])
        let alice = try await GatewayFixture.token(sub: "alice")
        try await fixture.app().test(.live) { client in
            func detail(_ forwarded: String, _ token: String?) async throws -> String? {
                var headers: HTTPFields = [.forwardedFor: forwarded]
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await client.execute(uri: "/api/status/no.such.job", method: .get, headers: headers) {
                    $0.status == .tooManyRequests ? $0.problem?.detail : nil
                }
            }
            var byAddress: [String?] = []
            for _ in 0..<3 { byAddress.append(try await detail("203.0.113.1", nil)) }
            #expect(byAddress.prefix(2).allSatisfy { $0 == nil })
            #expect(byAddress[2]?.contains("the rate limit for this client address is used up") == true, "\(byAddress)")
            var byUser: [String?] = []
            for index in 1...3 { byUser.append(try await detail("192.0.2.\(index)", alice)) }
            #expect(byUser.prefix(2).allSatisfy { $0 == nil })
            #expect(byUser[2]?.contains("the rate limit for user alice (the token's sub) is used up") == true, "\(byUser)")
        }
    }

    static func status(_ client: some TestClientProtocol, forwardedFor: String, token: String?) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [.forwardedFor: forwardedFor]
        if let token { headers[.authorization] = "Bearer \(token)" }
        // Not a possible job id, so a user who gets through is answered 404 without asking ns-node.
        return try await client.execute(uri: "/api/status/no.such.job", method: .get, headers: headers) { $0.status }
    }

    @Test("client address resolution walks X-Forwarded-For from the right")
    func resolution() throws {
        let resolver = ClientAddress(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])
        let proxy = try SocketAddress(ipAddress: "10.1.2.3", port: 1)
        let stranger = try SocketAddress(ipAddress: "192.0.2.9", port: 1)
        #expect(resolver.resolve(peer: stranger, forwardedFor: "1.1.1.1") == "192.0.2.9")
        #expect(resolver.resolve(peer: proxy, forwardedFor: nil) == "10.1.2.3")
        #expect(resolver.resolve(peer: proxy, forwardedFor: "6.6.6.6, 1.1.1.1, 10.9.9.9") == "1.1.1.1")
        #expect(resolver.resolve(peer: proxy, forwardedFor: "garbage, 10.9.9.9") == "10.9.9.9")
    }
}
