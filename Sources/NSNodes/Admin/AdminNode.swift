import Foundation
import Hummingbird
import NSCore

/// admin-node (port 3000): the governance dashboard. Operators sign in with a token minted by
/// `nsctl token create --admin`, get a server-side session, and see and act on the other nodes
/// (over their HTTP APIs) within their role; every sign-in, refusal and action goes into the
/// hash-chained audit trail of its ``AdminStore`` (`admin-node-data/admin.db`, ``SQLiteAdminStore``).
public enum AdminNode {
    /// What admin-node needs from the daemon's configuration.
    public struct Settings: Sendable {
        public var adminSecret: Secret
        /// `ADMIN_JWT_SECRET_PREVIOUS`: operator tokens signed with it are accepted during a rotation.
        public var adminSecretPrevious: Secret?
        public var sessionSecret: Secret
        /// `SESSION_SECRET_PREVIOUS`: cookies signed with it stay valid during a rotation.
        public var sessionSecretPrevious: Secret?
        public var internalToken: Secret
        /// Secure cookies always: production, or admin-node serves HTTPS itself. (Behind a trusted
        /// proxy that says `X-Forwarded-Proto: https`, each such request's cookie is Secure too.)
        public var secureCookies: Bool
        public var sessionLifetime: Duration
        public var trustedProxies: [IPNetwork]
        /// `JWT_MAX_TTL`: the longest lifetime of a token admin-node accepts.
        public var tokenMaxLifetime: Duration

        public init(adminSecret: Secret, adminSecretPrevious: Secret? = nil, sessionSecret: Secret, sessionSecretPrevious: Secret? = nil, internalToken: Secret, secureCookies: Bool,
                    sessionLifetime: Duration = .seconds(8 * 3600), trustedProxies: [IPNetwork] = [],
                    tokenMaxLifetime: Duration = TokenLifetime.defaultMaximum) {
            self.adminSecret = adminSecret
            self.adminSecretPrevious = adminSecretPrevious
            self.sessionSecret = sessionSecret
            self.sessionSecretPrevious = sessionSecretPrevious
            self.internalToken = internalToken
            self.secureCookies = secureCookies
            self.sessionLifetime = sessionLifetime
            self.trustedProxies = trustedProxies
            self.tokenMaxLifetime = tokenMaxLifetime
        }
    }

    /// - Parameter store: the audit trail and sessions; `/health` reports its ``AdminStore/check()`` as `store`.
    public static func blueprint(store: any AdminStore, settings: Settings, gateway: PeerAddress, nsNode: PeerAddress,
                                 vpNode: PeerAddress) async -> NodeBlueprint {
        let sessions = SessionStore(store: store, lifetime: settings.sessionLifetime)
        let audit = AdminAudit(store: store)
        let cookie = SessionCookie(secret: settings.sessionSecret, previous: settings.sessionSecretPrevious, secure: settings.secureCookies, lifetime: settings.sessionLifetime)
        let tokens = await TokenVerifier(current: settings.adminSecret, previous: settings.adminSecretPrevious, holder: .adminNode, maxLifetime: settings.tokenMaxLifetime)
        let access = AdminAccess(sessions: sessions, cookie: cookie, tokens: tokens,
                                 audit: audit, addresses: ClientAddress(trustedProxies: settings.trustedProxies))
        let pages = AdminPages()
        let admin = AdminContext(access: access, sessions: sessions, audit: audit,
                                 peers: AdminPeers(gateway: gateway, nsNode: nsNode, vpNode: vpNode, internalToken: settings.internalToken,
                                                   adminSecret: settings.adminSecret, client: .nodeFailingFast),
                                 pages: pages, cookie: cookie, rates: RateSampler())
        return NodeBlueprint(checks: [DependencyCheck(name: "store") { _ in try await store.check() }]) { router in
            let group = router.group().add(middleware: AdminErrorMiddleware(pages: pages))
            AdminSignInRoutes(admin: admin).add(to: group)
            AdminPageRoutes(admin: admin).add(to: group)
            AdminActionRoutes(admin: admin).add(to: group)
        }
    }
}
