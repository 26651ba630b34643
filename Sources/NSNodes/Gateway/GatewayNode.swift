import Hummingbird
import NIOCore
import NSCore
import NSNodeClient
import NSQueue

/// gateway-node (port 8080): the client API. It authenticates and rate-limits clients, validates
/// submissions, enqueues them (into the SQLite queue shared with vp-node, or Redis when
/// `REDIS_URL` is set) and reads ledger data from ns-node for status and proofs.
public enum GatewayNode {
    /// What the gateway is built from; ``NodeHost`` assembles it from the settings.
    public struct Parts: Sendable {
        public var queue: any JobQueue
        /// ``QueueStoreCheck``: the queue's store takes writes.
        public var queueCheck: DependencyCheck
        public var rateLimiter: any RateLimiter
        public var verifier: TokenVerifier
        public var nsNode: PeerAddress
        public var nsNodeCheck: DependencyCheck
        /// How a transaction's submitter names its owner: the status routes hold it against the
        /// caller's `sub`, plain or as its keyed hash (``LedgerPrivacy/recorded(_:names:)``).
        public var ledgerPrivacy: LedgerPrivacy

        /// `ledgerPrivacy` defaults to plain submitters only, the strictest match.
        public init(queue: any JobQueue, queueCheck: DependencyCheck, rateLimiter: any RateLimiter, verifier: TokenVerifier,
                    nsNode: PeerAddress, nsNodeCheck: DependencyCheck, ledgerPrivacy: LedgerPrivacy = .published) {
            self.queue = queue
            self.queueCheck = queueCheck
            self.rateLimiter = rateLimiter
            self.verifier = verifier
            self.nsNode = nsNode
            self.nsNodeCheck = nsNodeCheck
            self.ledgerPrivacy = ledgerPrivacy
        }
    }

    /// `internalErrors` (the gateway's ``NodeMetrics/internalErrors``) counts the unexpected
    /// errors that its CORS and rate-limit middleware answer themselves.
    public static func blueprint(_ parts: Parts, settings: DaemonSettings, internalErrors: InternalErrors?,
                                 client: NodeClient = .node) -> NodeBlueprint {
        let checks = [parts.nsNodeCheck, parts.queueCheck]
        let submit = SubmitRoutes(queue: parts.queue, settings: settings.gateway,
                                  ledger: JobLedgerLookup(nsNode: parts.nsNode, client: client, timeout: settings.healthCheckTimeout))
        let status = StatusRoutes(queue: parts.queue, nsNode: parts.nsNode, client: client, timeout: settings.healthCheckTimeout,
                                  owners: parts.ledgerPrivacy)
        let clientAddress = ClientAddress(trustedProxies: settings.gateway.trustedProxies)
        let corsOrigins = settings.enableCORS ? settings.corsOrigins : nil
        return NodeBlueprint(checks: checks) { router in
            // Router middleware applies to the routes added after it and to unmatched requests,
            // which is where a preflight OPTIONS lands.
            if let corsOrigins { router.add(middleware: CORSMiddleware(origins: corsOrigins, internalErrors: internalErrors)) }
            // The gateway's OpenAPI 3.1 description: Gateway/openapi.json (also docs/openapi.json),
            // built into the binary so nsd needs no resource files; a test checks it lists exactly these routes.
            let openAPI = ByteBuffer(bytes: PackageResources.openapi_json)
            router.get("/openapi.json") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
            }
            let api = router.group("api")
                .add(middleware: RateLimitMiddleware(limiter: parts.rateLimiter, scope: .clientAddress(clientAddress), internalErrors: internalErrors))
                .add(middleware: TokenAuthMiddleware(verifier: parts.verifier))
                .add(middleware: RateLimitMiddleware(limiter: parts.rateLimiter, scope: .subject, internalErrors: internalErrors))
            submit.add(to: api)
            status.add(to: api)
        }
    }
}
