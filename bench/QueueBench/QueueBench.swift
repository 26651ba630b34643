import Foundation
import GRDB
import NSCore
import NSNodes
import NSQueue
import NSRedis
import NSTestSupport

/// Job-queue benchmark, no-op jobs, for the embedded SQLite backend (WAL, synchronous=FULL) and
/// for Redis with AOF (`appendfsync always`, then `everysec`): enqueue rate one job per call from
/// concurrent producers and in batches of 100; processing rate of a filled queue, leasing one job
/// per call and 32 per call; enqueue-to-completed with producers and workers running together;
/// and `redis-benchmark` on the same server as the ceiling. Each line also gives the CPU time
/// per job of this process and, for Redis, of redis-server, to show which side limits the rate.
///
///     swift build -c release --product queue-bench && .build/release/queue-bench [sqlite] [always] [everysec] [replicas]
///
/// With arguments, only the named backends run (`always` and `everysec` are Redis's AOF modes;
/// `replicas` compares `REDIS_MIN_REPLICAS` 1 with 0 on a master and replica, ``replicas()``,
/// and runs only when named).
@main
enum QueueBench {
    static func main() async throws {
        let known = ["sqlite", "always", "everysec", "replicas"]
        let chosen = CommandLine.arguments.dropFirst()
        if let unknown = chosen.first(where: { !known.contains($0) }) {
            FileHandle.standardError.write(Data("queue-bench: unknown backend '\(unknown)'; choose from \(known.joined(separator: ", "))\n".utf8))
            exit(2)
        }
        let selected = chosen.isEmpty ? ["sqlite", "always", "everysec"] : Array(chosen)
        print("queue benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        if selected.contains("sqlite") {
            print("\nSQLite backend (WAL, synchronous=FULL)")
            try await measure(try openQueue(), then: try openQueue(), and: try openQueue(), server: nil)
        }

        // `always`: an acknowledged job survives a power cut. `everysec` (Redis's default, and the
        // compose file's): it survives a crash of redis-server, and at most the last second is lost
        // to a power cut.
        for fsync in ["always", "everysec"] where selected.contains(fsync) {
            let folder = try Tools.temporaryDirectory("queue-bench-redis")
            let redis = try await RedisServer(appendOnlyDirectory: folder, appendFsync: fsync)
            print("\nRedis backend (redis-server \(redis.port), AOF appendfsync \(fsync))")
            let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 8))
            try await measure(RedisJobQueue(client: client, namespace: "bench1"), then: RedisJobQueue(client: client, namespace: "bench2"),
                              and: RedisJobQueue(client: client, namespace: "bench3"), server: client)
            print("\nredis-benchmark -t lpush,rpop on the same server (the ceiling):")
            let ceiling = try Tools.run(try Tools.which("redis-benchmark"), ["-p", String(redis.port), "-t", "lpush,rpop", "-n", "200000", "-q"])
            // redis-benchmark -q rewrites its progress line with carriage returns; keep the final figures.
            for line in ceiling.output.split(whereSeparator: { $0 == "\r" || $0 == "\n" }) where line.contains("requests per second") {
                print(line)
            }
            await client.shutdown()
            await redis.stop()
        }
        if selected.contains("replicas") { try await replicas() }
    }

    /// Enqueues and processing on `queue`, then enqueue-to-completed on the fresh `fresh` (one job
    /// per lease) and `second` (batched leases).
    static func measure(_ queue: any JobQueue, then fresh: any JobQueue, and second: any JobQueue, server: RedisClient?) async throws {
        let jobs = 50_000
        let clock = CPUClock(server: server)

        try await enqueueSingles(queue, jobs: jobs, clock: clock)

        var start = try await clock.now()
        for _ in 0..<(jobs / 100) {
            _ = try await queue.enqueue(batch: (0..<100).map { _ in NewJob(type: "noop", payload: Array("payload".utf8)) })
        }
        try await clock.report("enqueue, batches of 100, 1 producer", jobs, start)

        // Half the jobs leased one per call, the other half up to `leaseBatch` per call and completed together.
        for batch in [1, leaseBatch] {
            start = try await clock.now()
            let target = batch == 1 ? (Completed(), jobs) : nil
            let done = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<10 {
                    group.addTask { try await work(queue, worker: "w\(worker)", batch: batch, until: target) }
                }
                return try await group.reduce(0, +)
            }
            try await clock.report("processing (lease + complete), 10 workers, lease \(batch)", done, start)
        }
        guard try await queue.counts().total(.completed) == 2 * jobs else { throw ChildProcessError.notFound("jobs left unprocessed") }
        for batch in [1, leaseBatch] {
            try await pipeline(queue: batch == 1 ? fresh : second, jobs: jobs, batch: batch, clock: clock)
        }
    }

    static let leaseBatch = 32

    /// One worker: leases up to `batch` jobs per call and completes them in one call, until the
    /// queue is empty (`until == nil`) or `until` jobs are completed across workers.
    static func work(_ queue: any JobQueue, worker: String, batch: Int, until target: (Completed, Int)?) async throws -> Int {
        var count = 0
        while true {
            if let (completed, jobs) = target, await completed.value >= jobs { return count }
            let leased = try await queue.lease(worker: worker, for: .seconds(30), limit: batch)
            if let (completed, _) = target { await completed.leased(leased.count) }
            if leased.isEmpty {
                guard target != nil else { return count }
                try await Task.sleep(for: .milliseconds(1))
                continue
            }
            let lost = try await queue.complete(leased.map { JobCompletion(id: $0.id, worker: worker, result: []) })
            guard lost.isEmpty else { throw ChildProcessError.notFound("lease lost for \(lost.count) jobs") }
            count += leased.count
            if let (completed, _) = target { await completed.add(leased.count) }
        }
    }

    /// 64 producers enqueue one job per call; the rate in jobs per second. `label` starts the line.
    @discardableResult
    static func enqueueSingles(_ queue: any JobQueue, jobs: Int, clock: CPUClock, label: String = "") async throws -> Double {
        let start = try await clock.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<64 {
                group.addTask {
                    for _ in stride(from: producer, to: jobs, by: 64) {
                        _ = try await queue.enqueue(NewJob(type: "noop", payload: Array("payload".utf8)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - start.wall) / .seconds(1)
        try await clock.report(label + "enqueue, single, 64 producers", jobs, start)
        return Double(jobs) / seconds
    }

    /// Enqueue-to-completed: 64 producers enqueue one job per call while 10 workers lease and
    /// complete, timed until every job is completed; the rate in jobs per second.
    @discardableResult
    static func pipeline(queue: any JobQueue, jobs: Int, batch: Int, clock: CPUClock, label: String = "") async throws -> Double {
        let start = try await clock.now()
        let completed = Completed()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for producer in 0..<64 {
                group.addTask {
                    for _ in stride(from: producer, to: jobs, by: 64) {
                        _ = try await queue.enqueue(NewJob(type: "noop", payload: Array("payload".utf8)))
                    }
                    return 0
                }
            }
            for worker in 0..<10 {
                group.addTask { try await work(queue, worker: "w\(worker)", batch: batch, until: (completed, jobs)) }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - start.wall) / .seconds(1)
        try await clock.report(label + "enqueue-to-completed, 64 producers + 10 workers, lease \(batch)", jobs, start)
        let (leases, empty) = await (completed.leases, completed.emptyLeases)
        print(String(format: "    lease calls: %d, %d of them empty; %.1f jobs per non-empty lease", leases, empty, Double(jobs) / Double(max(1, leases - empty))))
        return Double(jobs) / seconds
    }

    actor Completed {
        var value = 0
        var leases = 0
        var emptyLeases = 0
        func add(_ count: Int) { value += count }
        func leased(_ count: Int) {
            leases += 1
            if count == 0 { emptyLeases += 1 }
        }
    }

    static func openQueue() throws -> SQLiteJobQueue {
        let path = try Tools.temporaryDirectory("queue-bench") + "/queue.db"
        var migrator = DatabaseMigrator.node(NodeRole.vp.serviceName)
        SQLiteQueueSchema.register(in: &migrator)
        let database = try NodeDatabase(path: path, variable: "DB", migrator: migrator)
        return SQLiteJobQueue(pool: database.pool)
    }
}
