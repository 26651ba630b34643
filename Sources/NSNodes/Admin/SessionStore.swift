import Foundation
import NSCore

/// Server-side sessions: a sign-in makes one, every request looks it up, sign-out and an admin's
/// revocation end it at once (the cookie alone proves nothing once revoked).
///
/// What is cookie-side lives here: the secret id, its hash and the lifetime. The rows live in the
/// ``AdminStore``, written only together with their audit entries (``AdminAudit``).
public struct SessionStore: Sendable {
    let store: any AdminStore
    /// How long a session lasts from sign-in.
    public let lifetime: Duration

    public init(store: any AdminStore, lifetime: Duration = .seconds(8 * 3600)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// A new session for a sign-in at `now` and the secret id for its cookie (stored only as its
    /// hash). Nothing is stored: ``AdminAudit/createSession(_:audited:now:logger:)`` does that with
    /// its audit entry.
    func make(subject: String, role: OperatorRole, source: String, now: Date = Date()) -> (id: String, session: AdminSession) {
        let id = Hex.encode(SecureRandom.bytes(32))
        let nowMs = now.unixMs
        let session = AdminSession(idHash: Self.hash(id), subject: subject, role: role, csrf: Hex.encode(SecureRandom.bytes(32)), source: source,
                                   createdAt: nowMs, expiresAt: nowMs + Int64(lifetime / .milliseconds(1)))
        return (id, session)
    }

    /// The live session for a cookie id, or `nil` when unknown, expired or revoked.
    public func session(id: String, now: Date = Date()) async throws -> AdminSession? {
        try await store.session(idHash: Self.hash(id), now: now.unixMs)
    }

    /// Live sessions, newest first.
    public func active(now: Date = Date()) async throws -> [AdminSession] {
        try await store.activeSessions(now: now.unixMs)
    }

    static func hash(_ id: String) -> String { MerkleHash.sha256(Array(id.utf8)).hex }
}
