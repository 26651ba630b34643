import Logging
import NSCore
import ServiceLifecycle

/// The gateway's start-up check of ns-node (`NS_CHECK_RETRIES`, `NS_CHECK_EXIT_ON_FAIL`): probe
/// its `/health` up to 1 + retries times, one second apart doubling to 30 s.
///
/// When it never answers and the flag is true, the service fails, which stops `nsd` with exit
/// status 1 so a supervisor can restart it in order; otherwise the gateway serves anyway (its
/// `/health` keeps reporting ns-node) and the failure is logged as an error.
public struct NSNodeStartupCheck: Service {
    public struct NeverAnswered: Error, CustomStringConvertible {
        public let attempts: Int
        public let reason: String
        public var description: String { "ns-node did not answer /health after \(attempts) attempt(s): \(reason); NS_CHECK_EXIT_ON_FAIL=true" }
    }

    let check: DependencyCheck
    let retries: Int
    let exitOnFail: Bool
    let firstDelay: Duration
    let logger: Logger

    public init(check: DependencyCheck, retries: Int, exitOnFail: Bool, firstDelay: Duration = .seconds(1), logger: Logger) {
        self.check = check
        self.retries = retries
        self.exitOnFail = exitOnFail
        self.firstDelay = firstDelay
        self.logger = logger
    }

    public func run() async throws {
        var delay = firstDelay
        var lastReason = ""
        for attempt in 1...(retries + 1) {
            do {
                _ = try await check.probe(RequestID.generate())
                logger.info("ns-node answered the start-up check", metadata: ["attempt": .stringConvertible(attempt)])
                try await gracefulShutdown()
                return
            } catch {
                lastReason = (error as? DependencyFailure)?.reason ?? NetworkFailure.describe(error)
                logger.warning("ns-node did not answer the start-up check", metadata: [
                    "attempt": .stringConvertible(attempt), "of": .stringConvertible(retries + 1), "reason": .string(lastReason),
                ])
            }
            guard attempt <= retries else { break }
            let pause = delay
            // Throws only when shutdown cuts the pause short; the next line then returns.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            delay = min(delay * 2, .seconds(30))
        }
        if exitOnFail { throw NeverAnswered(attempts: retries + 1, reason: lastReason) }
        logger.error("ns-node never answered the start-up check; serving anyway (NS_CHECK_EXIT_ON_FAIL=false)",
                     metadata: ["reason": .string(lastReason)])
        try await gracefulShutdown()
    }
}
