import Foundation
import GRDB
import NSCore
import NSNodes
import NSQueue
import NSTestSupport

/// Job-queue benchmark, embedded SQLite backend (durable: WAL, synchronous=FULL):
/// enqueue rate one job per call from concurrent producers (group commit), enqueue rate in
/// batches of 100, and processing rate (no-op jobs leased and completed by concurrent workers).
///
///     swift build -c release --product queue-bench && .build/release/queue-bench
@main
enum QueueBench {
    static func main() async throws {
        print("queue benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("\nSQLite backend (WAL, synchronous=FULL)")
        try await measure(try openQueue(), then: try openQueue())

        let folder = try Tools.temporaryDirectory("queue-bench-redis")
        let redis = try await RedisServer(appendOnlyDirectory: folder)
        print("\nRedis backend (redis-server \(redis.port), AOF appendfsync always)")
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 8))
        try await measure(RedisJobQueue(client: client, namespace: "bench1"), then: RedisJobQueue(client: client, namespace: "bench2"))
        print("\nredis-benchmark -t lpush,rpop on the same server (the ceiling):")
        let ceiling = try Tools.run(try Tools.which("redis-benchmark"), ["-p", String(redis.port), "-t", "lpush,rpop", "-n", "200000", "-q"])
        // redis-benchmark -q rewrites its progress line with carriage returns; keep the final figures.
        for line in ceiling.output.split(whereSeparator: { $0 == "\r" || $0 == "\n" }) where line.contains("requests per second") {
            print(line)
        }
        await client.shutdown()
        await redis.stop()
    }

    /// The four measurements: three on `queue`, then enqueue-to-completed on the fresh `fresh`.
    static func measure(_ queue: any JobQueue, then fresh: any JobQueue) async throws {
        let jobs = 50_000

        var start = ContinuousClock.now
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
        report("enqueue, single, 64 producers", jobs, start)

        start = ContinuousClock.now
        for _ in 0..<(jobs / 100) {
            _ = try await queue.enqueue(batch: (0..<100).map { _ in NewJob(type: "noop", payload: Array("payload".utf8)) })
        }
        report("enqueue, batches of 100, 1 producer", jobs, start)

        start = ContinuousClock.now
        let total = 2 * jobs
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<10 {
                group.addTask {
                    var count = 0
                    while let job = try await queue.lease(worker: "w\(worker)", for: .seconds(30)) {
                        try await queue.complete(id: job.id, worker: "w\(worker)", result: [])
                        count += 1
                    }
                    return count
                }
            }
            var sum = 0
            for try await count in group { sum += count }
            return sum
        }
        guard done == total else { throw ChildProcessError.notFound("\(total - done) jobs not processed") }
        report("processing (lease + complete), 10 workers", total, start)
        try await pipeline(queue: fresh, jobs: jobs)
    }

    /// Enqueue-to-completed: 16 producers enqueue while 10 workers lease and complete, timed until
    /// every job is completed.
    static func pipeline(queue: any JobQueue, jobs: Int) async throws {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
            for producer in 0..<16 {
                group.addTask {
                    for _ in stride(from: producer, to: jobs, by: 16) {
                        _ = try await queue.enqueue(NewJob(type: "noop", payload: Array("payload".utf8)))
                    }
                    return 0
                }
            }
            let completed = Completed()
            for worker in 0..<10 {
                group.addTask {
                    var count = 0
                    while await completed.value < jobs {
                        guard let job = try await queue.lease(worker: "w\(worker)", for: .seconds(30)) else {
                            try await Task.sleep(for: .milliseconds(1))
                            continue
                        }
                        try await queue.complete(id: job.id, worker: "w\(worker)", result: [])
                        await completed.add()
                        count += 1
                    }
                    return count
                }
            }
            try await group.waitForAll()
        }
        report("enqueue-to-completed, 16 producers + 10 workers", jobs, start)
    }

    actor Completed {
        var value = 0
        func add() { value += 1 }
    }

    static func openQueue() throws -> SQLiteJobQueue {
        let path = try Tools.temporaryDirectory("queue-bench") + "/queue.db"
        var migrator = DatabaseMigrator.node(NodeRole.vp.serviceName)
        SQLiteQueueSchema.register(in: &migrator)
        let database = try NodeDatabase(path: path, variable: "DB", migrator: migrator)
        return SQLiteJobQueue(pool: database.pool)
    }

    static func report(_ label: String, _ count: Int, _ start: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print(String(format: "%-45@ %7d jobs in %6.2f s = %8.0f jobs/s", label as NSString, count, seconds, Double(count) / seconds))
    }
}
