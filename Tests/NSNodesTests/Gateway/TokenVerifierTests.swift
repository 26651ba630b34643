import Crypto
import Foundation
import JWTKit
import NSCore
import NSNodes
import Testing

@Suite("gateway tokens")
struct TokenVerifierTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func verifier(previous: Secret? = GatewayFixture.previousSecret) async -> TokenVerifier {
        await TokenVerifier(current: GatewayFixture.secret, previous: previous, now: { Self.now })
    }

    /// A token assembled from RFC 7519 by hand (header, payload, HMAC-SHA256), independent of jwt-kit.
    static func handMade(header: String, payload: String, secret: Secret = GatewayFixture.secret, signature: [UInt8]? = nil) -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let mac = signature ?? Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(secret.reveal().utf8))))
        return signingInput + "." + Base64URL.encode(mac)
    }

    func reason(_ authorization: String?, verifier: TokenVerifier? = nil) async -> String? {
        let verifier = if let verifier { verifier } else { await self.verifier() }
        do {
            _ = try await verifier.verify(authorization: authorization)
            return nil
        } catch {
            guard case .unauthorized(let detail, _) = error else { return "unexpected \(error)" }
            return detail
        }
    }

    @Test("a hand-made HS256 token per the JWT spec is accepted, with and without kid")
    func handMadeToken() async throws {
        let exp = Int(Self.now.timeIntervalSince1970) + 300
        let user = try await verifier().verify(authorization: "Bearer " + Self.handMade(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: #"{"sub":"alice","exp":\#(exp)}"#))
        #expect(user == AuthenticatedUser(subject: "alice", role: nil))
        let kid = TokenKeyID.of(GatewayFixture.secret)
        let admin = try await verifier().verify(authorization: "Bearer " + Self.handMade(
            header: #"{"alg":"HS256","kid":"\#(kid)"}"#, payload: #"{"sub":"root","exp":\#(exp),"role":"admin"}"#))
        #expect(admin.isAdmin)
    }

    @Test("each attack and malformation is refused with its own reason")
    func refusals() async throws {
        let exp = Int(Self.now.timeIntervalSince1970) + 300
        let payload = #"{"sub":"alice","exp":\#(exp)}"#
        let unsigned = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        let cases: [(String?, String)] = [
            (nil, "missing Authorization"),
            ("Basic YWxpY2U6cHc=", "malformed Authorization"),
            ("Bearer", "malformed Authorization"),
            ("Bearer not-a-jwt", "not a JWT"),
            ("Bearer " + unsigned, "alg none"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS512"}"#, payload: payload), "HS512 is not accepted"),
            ("Bearer " + Self.handMade(header: #"{"alg":"RS256"}"#, payload: payload), "RS256 is not accepted"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: payload, secret: Secret(String(repeating: "x", count: 40))), "signature does not verify"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: payload, signature: [UInt8](repeating: 0, count: 32)), "signature does not verify"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256","kid":"k0000000000000000"}"#, payload: payload), "kid names no key"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"alice"}"#), "no exp claim"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: #"{"exp":\#(exp)}"#), "no sub claim"),
            ("Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"alice","exp":"soon"}"#), "claims are malformed"),
        ]
        for (header, expected) in cases {
            let reason = await reason(header)
            #expect(reason?.contains(expected) == true, "\(header ?? "nil"): \(reason ?? "accepted")")
        }
    }

    @Test("exp, nbf and iat are honoured with 60 s of leeway, no more")
    func timeClaims() async throws {
        let t = Int(Self.now.timeIntervalSince1970)
        func token(_ claims: String) -> String { "Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: claims) }
        #expect(await reason(token(#"{"sub":"a","exp":\#(t - 59)}"#)) == nil, "expired 59 s ago is within leeway")
        #expect(await reason(token(#"{"sub":"a","exp":\#(t - 61)}"#))?.contains("expired") == true)
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + 600),"nbf":\#(t + 59)}"#)) == nil)
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + 600),"nbf":\#(t + 61)}"#))?.contains("not valid yet") == true)
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + 600),"iat":\#(t + 59)}"#)) == nil)
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + 600),"iat":\#(t + 61)}"#))?.contains("issued in the future") == true)
    }

    @Test("rotation: the previous secret works only while JWT_SECRET_PREVIOUS is set")
    func rotation() async throws {
        let exp = Date(timeInterval: 300, since: Self.now)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(GatewayFixture.previousSecret.reveal().utf8)), digestAlgorithm: .sha256)
        var header = JWTHeader()
        header.kid = TokenKeyID.of(GatewayFixture.previousSecret)
        let token = try await keys.sign(TokenClaims(sub: "alice", exp: exp), header: header)
        #expect(await reason("Bearer " + token) == nil)
        #expect(await reason("Bearer " + token, verifier: await verifier(previous: nil))?.contains("kid names no key") == true)
        // Without a kid a token is checked against the current secret only.
        let unnamed = Self.handMade(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"alice","exp":\#(Int(exp.timeIntervalSince1970))}"#,
                                    secret: GatewayFixture.previousSecret)
        #expect(await reason("Bearer " + unnamed)?.contains("signature does not verify") == true)
    }
}
