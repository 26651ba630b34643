import Foundation
import GRDB
import NSCore
import NSNodes
import NSQueue
import NSRedis

/// A separate process that uses the embedded queue exactly as nsd opens it, so tests can kill
/// it with SIGKILL in the middle of its work:
///
///     queue-probe enqueue STORE COUNT        enqueue COUNT jobs from 16 concurrent producers,
///                                            printing "ack ID" as each is acknowledged
///     queue-probe work STORE WORKER HOLD_MS [LEASE_MS]
///                                            lease jobs (LEASE_MS leases, 2000 by default), print
///                                            "leased ID", hold each for HOLD_MS, complete it,
///                                            print "done ID"
///
/// STORE is a SQLite file path, or a `redis://` URL for the Redis backend.
@main
enum QueueProbe {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: queue-probe enqueue STORE COUNT | work STORE WORKER HOLD_MS\n".utf8))
            exit(64)
        }
        let queue = try open(arguments[2])
        switch arguments[1] {
        case "enqueue":
            let count = Int(arguments[3]) ?? 0
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<16 {
                    group.addTask {
                        for index in stride(from: producer, to: count, by: 16) {
                            let receipt = try await queue.enqueue(NewJob(type: "probe", payload: Array("\(index)".utf8)))
                            say("ack \(receipt.id)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        case "work":
            let hold = Duration.milliseconds(Int(arguments.count > 4 ? arguments[4] : "0") ?? 0)
            let leaseDuration = Duration.milliseconds(Int(arguments.count > 5 ? arguments[5] : "2000") ?? 2_000)
            while true {
                guard let job = try await queue.lease(worker: arguments[3], for: leaseDuration) else {
                    try await Task.sleep(for: .milliseconds(50))
                    continue
                }
                say("leased \(job.id)")
                try await Task.sleep(for: hold)
                try await queue.complete(id: job.id, worker: arguments[3], result: [])
                say("done \(job.id)")
            }
        default:
            exit(64)
        }
    }

    static func open(_ store: String) throws -> any JobQueue {
        if store.hasPrefix("redis://"), let url = URL(string: store) {
            return RedisJobQueue(client: RedisClient(configuration: try RedisConfiguration(url: url)))
        }
        var migrator = DatabaseMigrator.node(NodeRole.vp.serviceName)
        SQLiteQueueSchema.register(in: &migrator)
        return SQLiteJobQueue(pool: try NodeDatabase(path: store, variable: "DB", migrator: migrator).pool)
    }

    /// One line on stdout, written at once (no buffering), so a killed process has said exactly
    /// what it had done.
    static func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
