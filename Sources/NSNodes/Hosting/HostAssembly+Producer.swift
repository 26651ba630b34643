import Logging
import NSCore

extension HostAssembly {
    /// vp-node: the code sandbox (proved before anything listens), the queue workers, the block
    /// producer, then its application.
    mutating func addProducerNode() async throws(ConfigurationError) {
        let internalToken = try self.internalToken
        let logger = makeLogger(NodeRole.vp.serviceName)
        let metrics = metrics(.vp)
        let queue = try sharedQueue()
        let adminSecret = try keys.adminJWTSecret()
        let sandbox = try await CodeSandbox.forDaemon(settings: settings)
        let readiness = SandboxReadiness(sandbox: sandbox)
        let proof = await readiness.refresh()
        logger.info("code sandbox ready", metadata: [
            "isolation": .string(sandbox.isolation.summary),
            "languages": .string(proof.ready.joined(separator: ",")),
        ])
        for (language, problem) in proof.failing.sorted(by: { $0.key < $1.key }) {
            logger.warning("a sandbox runtime cannot run; its code jobs fail until it does (dead-lettered at once when it is not installed)", metadata: [
                "language": .string(language), "reason": .string(problem),
            ])
        }
        let blueprint = ProducerNode.blueprint(queue: queue.queue, queueCheck: queue.check, metrics: metrics, queueMetrics: queue.metrics,
                                               nsNode: nsCheck, nsAddress: nsAddress, sandbox: readiness,
                                               operatorTokens: await TokenVerifier(current: adminSecret, previous: settings.adminJWTSecretPrevious, holder: .vpNode,
                                                                                   maxLifetime: settings.tokenMaxLifetime),
                                               logger: logger)
        add(ProducerNode.workers(queue: queue.queue, nsNode: nsAddress, token: internalToken, count: settings.jobQueueWorkers,
                                 batch: settings.jobLeaseBatch, sanitizerMaxChars: settings.sanitizerMaxChars, privacy: try keys.ledgerPrivacy(), sandbox: sandbox,
                                 metrics: metrics, queueMetrics: queue.metrics, logger: logger))
        add(ProducerNode.blockProducer(nsNode: nsAddress, token: internalToken, key: try keys.producerKey(),
                                       settings: settings.ledger, metrics: metrics, logger: logger))
        try addApplication(.vp, blueprint: blueprint, bound: settings.vpNodeURL == nil ? vpAddress : nil)
    }
}
