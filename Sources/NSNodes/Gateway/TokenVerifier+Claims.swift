import Foundation
import NSCore

extension TokenVerifier {
    /// The claim rules, applied on every request (also to tokens whose signature was verified
    /// before, since the time rules depend on the clock):
    ///
    /// - `exp` is required and not past; `nbf` and `iat` are honoured; all with ``leewaySeconds``.
    /// - The lifetime `exp - iat` (without `iat`: `exp - now`, with the leeway) is at most
    ///   `JWT_MAX_TTL`, so no token is good for ever, whatever `exp` says.
    /// - `sub` is a submitter the ledger accepts (``LedgerTransaction/isValidSubmitter(_:)``), so
    ///   nothing is accepted that the ledger would later refuse.
    /// - `role`, when present, is one of ``OperatorRole``.
    func check(_ claims: TokenClaims) throws(NodeError) -> AuthenticatedUser {
        let now = now().timeIntervalSince1970
        guard let expiry = claims.exp?.value.timeIntervalSince1970 else {
            throw .unauthorized(detail: "the token has no exp claim; tokens must expire")
        }
        guard now <= expiry + Self.leewaySeconds else { throw .unauthorized(detail: "the token has expired") }
        if let notBefore = claims.nbf?.value.timeIntervalSince1970, now + Self.leewaySeconds < notBefore {
            throw .unauthorized(detail: "the token is not valid yet (nbf)")
        }
        let issued = claims.iat?.value.timeIntervalSince1970
        if let issued, issued > now + Self.leewaySeconds {
            throw .unauthorized(detail: "the token was issued in the future (iat)")
        }
        try checkLifetime(expiry: expiry, issued: issued, now: now)
        guard let subject = claims.sub?.value, !subject.isEmpty else {
            throw .unauthorized(detail: "the token has no sub claim naming the user")
        }
        guard LedgerTransaction.isValidSubmitter(subject) else {
            throw .unauthorized(detail: "the token's sub is longer than the \(LedgerTransaction.maxSubmitterCharacters) characters "
                                + "the ledger accepts for a submitter")
        }
        return AuthenticatedUser(subject: subject, role: try Self.role(claims.role))
    }

    private func checkLifetime(expiry: Double, issued: Double?, now: Double) throws(NodeError) {
        let limit = "the \(TokenLifetime.text(.seconds(maxLifetimeSeconds))) \(holder.node) accepts (\(TokenLifetime.variable))"
        if let issued {
            guard expiry - issued <= maxLifetimeSeconds else {
                throw .unauthorized(detail: "the token's lifetime (exp - iat) is longer than \(limit); mint one that expires sooner")
            }
        } else {
            guard expiry - now <= maxLifetimeSeconds + Self.leewaySeconds else {
                throw .unauthorized(detail: "the token has no iat and expires further ahead than \(limit); mint one that expires sooner")
            }
        }
    }

    /// The `role` claim: absent, or the name of an ``OperatorRole``.
    static func role(_ claim: String?) throws(NodeError) -> OperatorRole? {
        guard let claim else { return nil }
        guard let role = OperatorRole(rawValue: claim) else {
            let roles = OperatorRole.allCases.map(\.rawValue).joined(separator: ", ")
            throw .unauthorized(detail: "the token's role \"\(claim.prefix(64))\" is unknown; the roles are \(roles)")
        }
        return role
    }
}
