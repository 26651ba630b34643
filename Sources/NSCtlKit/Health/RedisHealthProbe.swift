import Foundation
import NSRedis

/// `nsctl health`'s redis check: Redis as the queue uses it, by a write (a `PING` answers while
/// every enqueue is refused), and with Sentinel what the sentinels say about the master.
enum RedisHealthProbe {
    static func check(_ target: RedisTarget, timeout: Duration, probeKey: String) async -> (ServiceReport, RedisSentinelStatus?) {
        let start = ContinuousClock.now
        let configuration: RedisConfiguration
        do throws(CommandFailure) {
            configuration = try target.configuration(poolSize: 1, connectTimeout: timeout, commandTimeout: timeout)
        } catch {
            return (ServiceReport(service: "redis", outcome: .down(error.message), latency: nil), nil)
        }
        async let sentinel = target.sentinel == nil ? nil : RedisSentinelStatus.gather(configuration)
        let client = RedisClient(configuration: configuration)
        let report: ServiceReport
        do throws(RedisStoreError) {
            try await client.probeWrites(key: probeKey, value: Int64(Date().timeIntervalSince1970 * 1000))
            _ = try await client.memoryUsage()
            report = ServiceReport(service: "redis", outcome: .up, latency: ContinuousClock.now - start)
        } catch {
            report = ServiceReport(service: "redis", outcome: .down(error.description), latency: nil)
        }
        await client.shutdown()
        return (report, await sentinel)
    }
}
