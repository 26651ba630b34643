import Foundation
import NSCore
import NSQueue
import NSRedis
import NSTestSupport

/// `queue-bench replicas`: the Redis queue's throughput with `REDIS_MIN_REPLICAS=1` beside 0, in
/// one run against one real master (AOF `everysec`, as the compose file's) with one real replica
/// on this host. Both settings run the same rounds on fresh namespaces, alternating (0, 1, 0, 1)
/// so that neither profits from a warmer server; the ratio compares the better round of each.
/// Issue 28's target: replicated throughput at least 60% of the unreplicated.
extension QueueBench {
    static func replicas() async throws {
        let folder = try Tools.temporaryDirectory("queue-bench-replicas")
        let pair = try await RedisReplicatedPair(masterSettings: ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", folder])
        print("\nRedis backend, master \(pair.master.port) (AOF everysec) with replica \(pair.replica.port): REDIS_MIN_REPLICAS 0 and 1")
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: pair.master.url)!, poolSize: 8,  // built from a port number
                                                                       commandTimeout: .seconds(5) + waitTimeout))
        let server = CPUClock(server: client)
        var best: [Int: (enqueue: Double, pipeline: Double)] = [:]
        for (round, replicas) in [0, 1, 0, 1].enumerated() {
            let replication = RedisReplicationSettings(minReplicas: replicas, waitTimeout: waitTimeout)
            func queue(_ part: String) -> RedisJobQueue {
                RedisJobQueue(client: client, namespace: "replicas\(round)\(part)", replication: replication)
            }
            let label = "REDIS_MIN_REPLICAS=\(replicas): "
            let enqueued = try await enqueueSingles(queue("e"), jobs: replicaJobs, clock: server, label: label)
            let completed = try await pipeline(queue: queue("p"), jobs: replicaJobs, batch: leaseBatch, clock: server, label: label)
            let previous = best[replicas] ?? (0, 0)
            best[replicas] = (max(previous.enqueue, enqueued), max(previous.pipeline, completed))
        }
        if let plain = best[0], let replicated = best[1] {
            print(String(format: "REDIS_MIN_REPLICAS=1 / 0: enqueue %.0f%%, enqueue-to-completed %.0f%% (target: at least 60%%)",
                         100 * replicated.enqueue / plain.enqueue, 100 * replicated.pipeline / plain.pipeline))
        }
        print("WAIT calls on the master: \(try pair.waitCalls())")
        await client.shutdown()
        await pair.stop()
    }

    /// Long enough that a healthy replica on this host never misses it: a timeout here would be a
    /// failed run, not a slow one.
    static let waitTimeout: Duration = .seconds(2)
    static let replicaJobs = 50_000
}
