import Crypto
import Foundation
import HTTPTypes
import NSCore

/// The `ns_session` cookie: the session's random id and an HMAC-SHA256 of it under
/// `SESSION_SECRET`, so a forged or altered cookie is refused before any lookup. HttpOnly (no
/// script reads it), SameSite=Strict (no other site sends it), Secure when served over TLS or in
/// production, and a Max-Age equal to the session's lifetime.
struct SessionCookie: Sendable {
    static let name = "ns_session"

    /// Signs new cookies and verifies them.
    let secret: Secret
    /// The secret a rotation replaced: cookies it signed are still accepted, never issued.
    var previous: Secret? = nil
    let secure: Bool
    let lifetime: Duration

    func value(for id: String) -> String {
        "\(id).\(Self.signature(id, secret: secret))"
    }

    /// The session id in the request's cookie, when present and correctly signed.
    func id(in fields: HTTPFields) -> String? {
        for header in fields[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == Self.name else { continue }
                let pieces = parts[1].split(separator: ".").map(String.init)
                guard pieces.count == 2, pieces[0].count == 64 else { return nil }
                // Both comparisons always run, so timing does not tell which secret signed the cookie.
                let current = ConstantTime.equal(Self.signature(pieces[0], secret: secret), pieces[1])
                let old = previous.map { ConstantTime.equal(Self.signature(pieces[0], secret: $0), pieces[1]) } ?? false
                guard current || old else { return nil }
                return pieces[0]
            }
        }
        return nil
    }

    /// The `Set-Cookie` value that starts a session; `overTLS` when a trusted proxy says the
    /// browser connected with HTTPS.
    func setCookie(id: String, overTLS: Bool) -> String {
        attributes("\(Self.name)=\(value(for: id))", maxAge: Int(lifetime / .seconds(1)), secure: secure || overTLS)
    }

    /// The `Set-Cookie` value that ends one in the browser.
    var clearCookie: String {
        attributes("\(Self.name)=", maxAge: 0, secure: secure)
    }

    private func attributes(_ pair: String, maxAge: Int, secure: Bool) -> String {
        pair + "; Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    private static func signature(_ id: String, secret: Secret) -> String {
        let key = SymmetricKey(data: Array(secret.reveal().utf8))
        return Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(id.utf8), using: key)))
    }
}
