import Logging
import NSCore

extension HostAssembly {
    /// gateway: its rate limiter (shared through Redis when the queue is there), token verifier
    /// and the start-up check that ns-node answers, then its application.
    mutating func addGateway() async throws(ConfigurationError) {
        let logger = makeLogger(NodeRole.gateway.serviceName)
        let queue = try sharedQueue()
        let rateLimiter: any RateLimiter
        if let redis = queue.redis {
            rateLimiter = RedisRateLimiter(client: redis, limit: settings.rateLimitMaxRequests, window: settings.rateLimitWindow, logger: logger)
        } else {
            rateLimiter = LocalRateLimiter(limit: settings.rateLimitMaxRequests, window: settings.rateLimitWindow)
        }
        let verifier = await TokenVerifier(current: try keys.jwtSecret(), previous: settings.jwtSecretPrevious, holder: .gateway,
                                           maxLifetime: settings.tokenMaxLifetime)
        let parts = GatewayNode.Parts(queue: queue.queue, queueCheck: queue.check, rateLimiter: rateLimiter, verifier: verifier,
                                      nsNode: nsAddress, nsNodeCheck: nsCheck, ledgerPrivacy: try keys.ledgerPrivacy())
        let blueprint = GatewayNode.blueprint(parts, settings: settings, internalErrors: metrics(.gateway).internalErrors)
        add(NSNodeStartupCheck(check: nsCheck, retries: settings.nsCheckRetries, exitOnFail: settings.nsCheckExitOnFail, logger: logger))
        try addApplication(.gateway, blueprint: blueprint, bound: settings.gatewayURL == nil ? gatewayAddress : nil)
    }
}
