import Foundation
import JWTKit
import NSCore

/// Checks bearer tokens: HS256 JWTs signed with one node's secret. The gateway checks client
/// tokens (`JWT_SECRET`, or during a rotation `JWT_SECRET_PREVIOUS`); vp-node's operator API and
/// admin-node check operator tokens (`ADMIN_JWT_SECRET`, or during a rotation `ADMIN_JWT_SECRET_PREVIOUS`).
///
/// The token's three parts and its JOSE header are inspected before any signature work: each part
/// must be base64url, only `alg: HS256` is accepted (so `none` and algorithm-confusion tokens fail
/// with a clear reason), a `crit` header is refused (this verifier understands no extension, and
/// RFC 7515 section 4.1.11 says such a token must then be refused), and `kid`, when present, must
/// name one of the configured secrets (``TokenKeyID``); a token without `kid` is checked against
/// the current secret. The signature is verified by jwt-kit; the claims are checked in
/// `TokenVerifier+Claims.swift`.
public struct TokenVerifier: Sendable {
    /// The node whose secrets verify the tokens, named in refusals so an operator knows which
    /// secret a token must be signed with.
    public enum Holder: Sendable {
        case gateway, vpNode, adminNode

        /// The node, as a refusal names it.
        var node: String {
            switch self {
            case .gateway: "the gateway"
            case .vpNode: "vp-node"
            case .adminNode: "admin-node"
            }
        }

        /// Where its tokens come from.
        var signedWith: String {
            switch self {
            case .gateway: "JWT_SECRET (JWT_SECRET_PREVIOUS during a rotation; nsctl token create)"
            case .vpNode, .adminNode: "ADMIN_JWT_SECRET (nsctl token create --admin)"
            }
        }
    }

    public static let leewaySeconds: Double = 60

    private let keys: JWTKeyCollection
    private let keyIDs: Set<String>
    let holder: Holder
    /// The longest `exp - iat` accepted, in seconds (`JWT_MAX_TTL`).
    let maxLifetimeSeconds: Double
    let now: @Sendable () -> Date
    private let verified = VerifiedTokens()

    /// `maxLifetime` is `JWT_MAX_TTL`; `now` is injectable so tests can fix the clock.
    public init(current: Secret, previous: Secret?, holder: Holder = .gateway, maxLifetime: Duration = TokenLifetime.defaultMaximum,
                now: @escaping @Sendable () -> Date = Date.init) async {
        let keys = JWTKeyCollection()
        let currentKeyID = TokenKeyID.of(current)
        // The first key added is jwt-kit's default: the one a token without `kid` is checked against.
        await keys.add(hmac: HMACKey(from: Array(current.reveal().utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: currentKeyID))
        var ids: Set<String> = [currentKeyID]
        if let previous {
            let id = TokenKeyID.of(previous)
            await keys.add(hmac: HMACKey(from: Array(previous.reveal().utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: id))
            ids.insert(id)
        }
        self.keys = keys
        self.keyIDs = ids
        self.holder = holder
        self.maxLifetimeSeconds = Double(maxLifetime / .seconds(1))
        self.now = now
    }

    /// The user an `Authorization` header value proves, or ``NodeError/unauthorized(detail:tokenPresented:)``
    /// naming what is wrong (never echoing the token).
    public func verify(authorization: String?) async throws(NodeError) -> AuthenticatedUser {
        guard let authorization, !authorization.isEmpty else {
            throw .unauthorized(detail: "missing Authorization header; send Authorization: Bearer <token>", tokenPresented: false)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw .unauthorized(detail: "malformed Authorization header; expected 'Bearer <token>'", tokenPresented: false)
        }
        let token = String(parts[1])
        if let claims = verified.claims(for: token) { return try check(claims) }
        try checkParts(token)
        let claims: TokenClaims
        do {
            claims = try await keys.verify(Array(token.utf8), as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .unauthorized(detail: "the token's signature does not verify")
        } catch {
            throw .unauthorized(detail: "the token's claims are malformed (sub and role must be strings; exp, nbf and iat numbers)")
        }
        let user = try check(claims)
        verified.remember(token, claims: claims)
        return user
    }

    /// Checks the token's three parts and applies the header rules (jwt-kit then picks the key by
    /// the same `kid`, or the current key when there is none).
    private func checkParts(_ token: String) throws(NodeError) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // Why a header is not JSON does not matter to the caller: the one reason below covers it.
        guard segments.count == 3, let headerBytes = Base64URL.decode(segments[0]),
              let header = (try? CanonicalJSON.decode(headerBytes))?.objectValue else {
            throw .unauthorized(detail: "the token is not a JWT (three base64url parts with a JSON header)")
        }
        guard let alg = header["alg"]?.stringValue else { throw .unauthorized(detail: "the token header has no alg") }
        guard alg == "HS256" else {
            throw .unauthorized(detail: alg.lowercased() == "none"
                ? "unsigned tokens (alg none) are not accepted" : "algorithm \(alg.prefix(64)) is not accepted; tokens must be HS256")
        }
        if header["crit"] != nil {
            throw .unauthorized(detail: "the token header lists crit extensions, which \(holder.node) does not understand (RFC 7515 section 4.1.11)")
        }
        switch header["kid"] {
        case nil: break
        case .string(let kid)? where keyIDs.contains(kid): break
        default: throw .unauthorized(detail: "the token's kid names no key \(holder.node) holds; its tokens are signed with \(holder.signedWith)")
        }
        guard Base64URL.decode(segments[1]) != nil else {
            throw .unauthorized(detail: "the token's claims are not base64url (RFC 4648 section 5, without padding)")
        }
        guard Base64URL.decode(segments[2]) != nil else {
            throw .unauthorized(detail: "the token's signature is not base64url (RFC 4648 section 5, without padding)")
        }
    }
}
