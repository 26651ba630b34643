import Foundation
import JWTKit

/// The claims NeuroSwarm tokens carry: the gateway reads them and `nsctl token create` writes
/// them. Time claims are optional here so their absence gets its own message; the gateway's
/// verifier enforces them.
public struct TokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim?
    public var exp: ExpirationClaim?
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    /// `admin` lets the holder read every submission's status.
    public var role: String?

    public init(sub: String?, exp: Date?, nbf: Date? = nil, iat: Date? = nil, role: String? = nil) {
        self.sub = sub.map(SubjectClaim.init)
        self.exp = exp.map(ExpirationClaim.init)
        self.nbf = nbf.map(NotBeforeClaim.init)
        self.iat = iat.map(IssuedAtClaim.init)
        self.role = role
    }

    /// Signature checks are jwt-kit's; the time rules are the verifier's, against its clock.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs tokens the way the gateway (and admin-node) verify them: HS256, `kid` from ``TokenKeyID``.
public enum TokenMinter {
    public static func mint(secret: Secret, subject: String, role: String?, lifetime: Duration, now: Date = Date()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(secret.reveal().utf8)), digestAlgorithm: .sha256)
        let claims = TokenClaims(sub: subject, exp: now.addingTimeInterval(Double(lifetime / .milliseconds(1)) / 1000), iat: now, role: role)
        var header = JWTHeader()
        header.kid = TokenKeyID.of(secret)
        return try await keys.sign(claims, header: header)
    }
}
