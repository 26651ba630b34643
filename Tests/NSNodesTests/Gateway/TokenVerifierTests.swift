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

    @Test("claims the ledger would refuse, crit headers, unknown roles and parts that are not base64url are refused with their reason")
    func stricterClaims() async throws {
        let exp = Int(Self.now.timeIntervalSince1970) + 300
        func token(_ claims: String, header: String = #"{"alg":"HS256"}"#) -> String { "Bearer " + Self.handMade(header: header, payload: claims) }
        let longest = String(repeating: "a", count: LedgerTransaction.maxSubmitterCharacters)
        #expect(await reason(token(#"{"sub":"\#(longest)","exp":\#(exp)}"#)) == nil, "the ledger's longest submitter is accepted")
        // Characters, as the ledger counts them, not bytes.
        #expect(await reason(token(#"{"sub":"\#(String(repeating: "é", count: 256))","exp":\#(exp)}"#)) == nil)
        let tooLong = await reason(token(#"{"sub":"\#(String(repeating: "a", count: 300))","exp":\#(exp)}"#))
        #expect(tooLong?.contains("sub is longer than the 256 characters the ledger accepts for a submitter") == true, "\(tooLong ?? "accepted")")

        let critical = await reason(token(#"{"sub":"alice","exp":\#(exp)}"#, header: #"{"alg":"HS256","crit":["exp"],"exp":1}"#))
        #expect(critical?.contains("crit") == true && critical?.contains("RFC 7515") == true, "\(critical ?? "accepted")")

        let unknownRole = await reason(token(#"{"sub":"alice","exp":\#(exp),"role":"superuser"}"#))
        #expect(unknownRole == #"the token's role "superuser" is unknown; the roles are viewer, operator, admin"#, "\(unknownRole ?? "accepted")")
        #expect(await reason(token(#"{"sub":"alice","exp":\#(exp),"role":"operator"}"#)) == nil)

        let valid = Self.handMade(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"alice","exp":\#(exp)}"#).split(separator: ".").map(String.init)
        let standardSignature = await reason("Bearer \(valid[0]).\(valid[1]).ab+c/d==")
        #expect(standardSignature?.contains("signature is not base64url") == true, "\(standardSignature ?? "accepted")")
        #expect(standardSignature?.contains("claims") == false)
        let paddedClaims = await reason("Bearer \(valid[0]).\(valid[1])==.\(valid[2])")
        #expect(paddedClaims?.contains("claims are not base64url") == true, "\(paddedClaims ?? "accepted")")
    }

    @Test("JWT_MAX_TTL bounds exp - iat, or exp - now without iat; exp 1e300 is refused, not trusted")
    func maximumLifetime() async throws {
        let t = Int(Self.now.timeIntervalSince1970)
        let month = 30 * 86_400
        func token(_ claims: String) -> String { "Bearer " + Self.handMade(header: #"{"alg":"HS256"}"#, payload: claims) }
        #expect(TokenLifetime.defaultMaximum == .seconds(month))
        #expect(await reason(token(#"{"sub":"a","iat":\#(t - 10),"exp":\#(t - 10 + month)}"#)) == nil, "exactly JWT_MAX_TTL")
        let overByOne = await reason(token(#"{"sub":"a","iat":\#(t - 10),"exp":\#(t - 9 + month)}"#))
        #expect(overByOne == "the token's lifetime (exp - iat) is longer than the 30d the gateway accepts (JWT_MAX_TTL); mint one that expires sooner")
        let huge = await reason(token(#"{"sub":"a","iat":\#(t),"exp":1e300}"#))
        #expect(huge?.contains("lifetime (exp - iat) is longer than the 30d") == true, "\(huge ?? "accepted")")
        let hugeWithoutIssued = await reason(token(#"{"sub":"a","exp":1e300}"#))
        #expect(hugeWithoutIssued?.contains("has no iat and expires further ahead than the 30d") == true, "\(hugeWithoutIssued ?? "accepted")")
        let ancientIssued = await reason(token(#"{"sub":"a","iat":-1e300,"exp":\#(t + 300)}"#))
        #expect(ancientIssued?.contains("lifetime (exp - iat)") == true, "\(ancientIssued ?? "accepted")")
        // Without iat the issuer's clock may run ahead of ours by the leeway.
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + month + 59)}"#)) == nil)
        #expect(await reason(token(#"{"sub":"a","exp":\#(t + month + 61)}"#))?.contains("no iat") == true)

        let hourly = await TokenVerifier(current: GatewayFixture.secret, previous: nil, holder: .vpNode, maxLifetime: .seconds(3_600), now: { Self.now })
        #expect(await reason(token(#"{"sub":"a","iat":\#(t),"exp":\#(t + 3_600)}"#), verifier: hourly) == nil)
        let twoHours = await reason(token(#"{"sub":"a","iat":\#(t),"exp":\#(t + 7_200)}"#), verifier: hourly)
        #expect(twoHours?.contains("longer than the 1h vp-node accepts (JWT_MAX_TTL)") == true, "\(twoHours ?? "accepted")")

        // What nsctl token create mints at its longest passes.
        let minted = try await TokenMinter.mint(secret: GatewayFixture.secret, subject: "ci", role: nil, lifetime: TokenLifetime.defaultMaximum, now: Self.now)
        #expect(await reason("Bearer " + minted) == nil)
    }

    @Test("a refusal names the node that holds the keys and the secret its tokens are signed with")
    func holderNamed() async throws {
        let exp = Int(Self.now.timeIntervalSince1970) + 300
        let foreign = "Bearer " + Self.handMade(header: #"{"alg":"HS256","kid":"k0000000000000000"}"#, payload: #"{"sub":"a","exp":\#(exp)}"#)
        let expected: [(TokenVerifier.Holder, String)] = [
            (.gateway, "the token's kid names no key the gateway holds; its tokens are signed with JWT_SECRET"),
            (.vpNode, "the token's kid names no key vp-node holds; its tokens are signed with ADMIN_JWT_SECRET (nsctl token create --admin)"),
            (.adminNode, "the token's kid names no key admin-node holds; its tokens are signed with ADMIN_JWT_SECRET (nsctl token create --admin)"),
        ]
        for (holder, text) in expected {
            let verifier = await TokenVerifier(current: GatewayFixture.secret, previous: nil, holder: holder, now: { Self.now })
            let refusal = await reason(foreign, verifier: verifier)
            #expect(refusal?.hasPrefix(text) == true, "\(holder): \(refusal ?? "accepted")")
            #expect(holder == .gateway || refusal?.contains("gateway") == false)
        }
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
