import Foundation
import GRDB
import NSQueue
import NSRedis
import NSTestSupport
import Testing

@Suite("the queue survives kill -9 of the processes using it", .serialized)
struct QueueCrashTests {
    /// The probe workers' lease: long enough that a loaded machine kills worker-a and asks again
    /// well within it.
    static let workerLeaseMilliseconds = 5_000

    static func probe() throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("queue-probe").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw ChildProcessError.notFound("queue-probe next to the tests (swift build)") }
        return path
    }

    /// A store for the probe processes and the test to share: a SQLite file (created by the
    /// first probe, so `open` only after one has run), or a redis-server of its own with AOF on.
    struct SharedStore {
        let location: String
        let open: @Sendable () throws -> any JobQueue
        let server: RedisServer?

        init(_ backend: Backend, _ name: String) async throws {
            switch backend {
            case .sqlite:
                let path = try Tools.temporaryDirectory(name) + "/queue.db"
                (location, server) = (path, nil)
                open = {
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(10)  // the probes write to the same file
                    return SQLiteJobQueue(pool: try DatabasePool(path: path, configuration: configuration))
                }
            case .redis:
                let server = try await RedisServer(appendOnlyDirectory: try Tools.temporaryDirectory(name))
                let queue = RedisJobQueue(client: RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!)))  // built from a port number
                (location, self.server) = (server.url, server)
                open = { queue }
            }
        }
    }

    func lines(_ child: ChildProcess, _ prefix: String) -> [String] {
        child.stdoutLines.filter { $0.hasPrefix(prefix + " ") }.map { String($0.dropFirst(prefix.count + 1)) }
    }

    @Test("kill -9 during a burst of enqueues: every acknowledged id is still there", arguments: Backend.allCases)
    func burst(backend: Backend) async throws {
        let store = try await SharedStore(backend, "queue-burst")
        let path = store.location
        let child = try ChildProcess(executable: try Self.probe(), arguments: ["enqueue", path, "100000"], environment: [:])
        try await child.waitForOutput(timeout: .seconds(30)) { $0.count >= 500 }
        child.signal(SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(10))
        let acknowledged = lines(child, "ack")
        #expect(acknowledged.count >= 500)
        let queue = try store.open()
        for id in acknowledged {
            #expect(try await queue.job(id: id)?.state == .queued, "acknowledged \(id) is missing")
        }
        #expect(try await queue.counts().total(.queued) >= acknowledged.count)
        await store.server?.stop()
    }

    @Test("kill -9 a worker mid-job: nobody else gets the job while its lease lives; after expiry another worker finishes it",
          arguments: Backend.allCases)
    func workerKilled(backend: Backend) async throws {
        let store = try await SharedStore(backend, "queue-worker")
        let path = store.location
        let filler = try ChildProcess(executable: try Self.probe(), arguments: ["enqueue", path, "1"], environment: [:])
        #expect(await filler.waitForExit() == 0)
        let id = try #require(lines(filler, "ack").first)

        let first = try ChildProcess(executable: try Self.probe(), arguments: ["work", path, "worker-a", "60000", "\(Self.workerLeaseMilliseconds)"], environment: [:])
        try await first.waitForOutput { $0.contains("leased \(id)") }
        first.signal(SIGKILL)
        _ = await first.waitForExit()

        let queue = try store.open()
        #expect(try await queue.lease(worker: "worker-b", for: .seconds(2)) == nil, "the dead worker's lease is still live")
        #expect(try await queue.recoverExpired() == 0)
        try await Task.sleep(for: .milliseconds(Self.workerLeaseMilliseconds + 200))
        #expect(try await queue.recoverExpired() == 1)

        let second = try ChildProcess(executable: try Self.probe(), arguments: ["work", path, "worker-c", "0", "\(Self.workerLeaseMilliseconds)"], environment: [:])
        try await second.waitForOutput(timeout: .seconds(20)) { $0.contains("done \(id)") }
        second.signal(SIGKILL)
        _ = await second.waitForExit()
        let finished = try #require(try await queue.job(id: id))
        #expect(finished.state == .completed)
        #expect(finished.attempts == 2)
        #expect(finished.errors.map(\.worker) == ["worker-a"])
        await store.server?.stop()
    }
}
