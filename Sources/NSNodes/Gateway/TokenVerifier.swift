import Foundation
import JWTKit
import NSCore
import Synchronization

/// Checks the gateway's bearer tokens: HS256 JWTs signed with `JWT_SECRET`, or during a rotation
/// with `JWT_SECRET_PREVIOUS`.
///
/// The header is inspected before any signature work: only `alg: HS256` is accepted (so `none`
/// and algorithm-confusion tokens fail with a clear reason), and `kid`, when present, must name
/// one of the configured secrets (``TokenKeyID``); a token without `kid` is checked against the
/// current secret. The signature is verified by jwt-kit; the time claims are checked here with a
/// 60 s leeway against an injectable clock: `exp` is required, `nbf` and `iat` are honoured.
public struct TokenVerifier: Sendable {
    public static let leewaySeconds: Double = 60

    private let keys: JWTKeyCollection
    private let keyIDs: Set<String>
    private let now: @Sendable () -> Date
    private let verified = VerifiedTokens()

    public init(current: Secret, previous: Secret?, now: @escaping @Sendable () -> Date = Date.init) async {
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
        try checkHeader(token)
        let claims: TokenClaims
        do {
            claims = try await keys.verify(Array(token.utf8), as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .unauthorized(detail: "the token's signature does not verify")
        } catch {
            throw .unauthorized(detail: "the token's claims are malformed (sub, exp, nbf, iat must be a string and numbers)")
        }
        let user = try check(claims)
        verified.remember(token, claims: claims)
        return user
    }

    /// Decodes the JOSE header and applies the algorithm and key-id rules (jwt-kit then picks the
    /// key by the same `kid`, or the current key when there is none).
    private func checkHeader(_ token: String) throws(NodeError) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let headerBytes = Base64URL.decode(String(segments[0])),
              let header = (try? CanonicalJSON.decode(headerBytes))?.objectValue else {
            throw .unauthorized(detail: "the token is not a JWT (three base64url parts with a JSON header)")
        }
        guard let alg = header["alg"]?.stringValue else { throw .unauthorized(detail: "the token header has no alg") }
        guard alg == "HS256" else {
            throw .unauthorized(detail: alg.lowercased() == "none"
                ? "unsigned tokens (alg none) are not accepted" : "algorithm \(alg) is not accepted; tokens must be HS256")
        }
        switch header["kid"] {
        case nil: return
        case .string(let kid)? where keyIDs.contains(kid): return
        default: throw .unauthorized(detail: "the token's kid names no key this gateway holds")
        }
    }

    private func check(_ claims: TokenClaims) throws(NodeError) -> AuthenticatedUser {
        let now = now().timeIntervalSince1970
        guard let expiry = claims.exp?.value.timeIntervalSince1970 else {
            throw .unauthorized(detail: "the token has no exp claim; tokens must expire")
        }
        guard now <= expiry + Self.leewaySeconds else { throw .unauthorized(detail: "the token has expired") }
        if let notBefore = claims.nbf?.value.timeIntervalSince1970, now + Self.leewaySeconds < notBefore {
            throw .unauthorized(detail: "the token is not valid yet (nbf)")
        }
        if let issued = claims.iat?.value.timeIntervalSince1970, issued > now + Self.leewaySeconds {
            throw .unauthorized(detail: "the token was issued in the future (iat)")
        }
        guard let subject = claims.sub?.value, !subject.isEmpty else {
            throw .unauthorized(detail: "the token has no sub claim naming the user")
        }
        return AuthenticatedUser(subject: subject, role: claims.role.flatMap(OperatorRole.init(rawValue:)))
    }
}

/// Tokens whose signature has been verified, with their claims, so a client's next request with
/// the same token skips the header parsing, JSON decoding and HMAC. The time claims are still
/// checked on every request. Bounded: when full it is emptied and refills from live traffic.
final class VerifiedTokens: Sendable {
    static let capacity = 10_000
    private let entries = Mutex<[String: TokenClaims]>([:])

    func claims(for token: String) -> TokenClaims? {
        entries.withLock { $0[token] }
    }

    func remember(_ token: String, claims: TokenClaims) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
