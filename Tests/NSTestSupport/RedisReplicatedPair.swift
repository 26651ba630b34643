import Foundation

/// A real Redis master with one real replica (`--replicaof`), for tests of `REDIS_MIN_REPLICAS`.
/// The replica can be stopped with SIGSTOP and resumed with SIGCONT: a stopped replica keeps its
/// link to the master open but confirms nothing, which is what a replica behind a congested or
/// cut network looks like to the master's `WAIT`.
public final class RedisReplicatedPair: Sendable {
    public let master: RedisServer
    public let replica: RedisServer
    private let replicaPID: pid_t

    /// Starts both and returns once the replica has synchronised (`master_link_status:up`).
    public init(masterSettings: [String] = []) async throws {
        let master = try await RedisServer(settings: masterSettings)
        let replica: RedisServer
        do {
            // The replica writes the master's snapshot to its folder: a temporary one, never the
            // working directory, where every later redis-server of the test process would load it.
            replica = try await RedisServer(settings: ["--replicaof", "127.0.0.1", String(master.port), "--dir", try Tools.temporaryDirectory("redis-replica")])
        } catch {
            await master.stop()
            throw error
        }
        self.master = master
        self.replica = replica
        do {
            guard let pid = Int32(try Self.info(port: replica.port, section: "server")["process_id"] ?? "") else {
                throw ChildProcessError.notFound("the replica's process_id in INFO server")
            }
            replicaPID = pid
            for _ in 0..<200 {
                if try Self.info(port: replica.port, section: "replication")["master_link_status"] == "up" { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw ChildProcessError.notFound("a replica in sync with its master within 10 s")
        } catch {
            await replica.stop()
            await master.stop()
            throw error
        }
    }

    /// SIGSTOP: the replica stops reading the replication stream and confirms nothing.
    public func pauseReplica() {
        kill(replicaPID, SIGSTOP)
    }

    /// SIGCONT: the replica reads what the master sent meanwhile and confirms it.
    public func resumeReplica() {
        kill(replicaPID, SIGCONT)
    }

    /// Resumes the replica (a stopped process ignores SIGTERM) and stops both.
    public func stop() async {
        resumeReplica()
        await replica.stop()
        await master.stop()
    }

    /// `name:value` lines of `INFO section` on the server at `port`, through `redis-cli`.
    public static func info(port: Int, section: String) throws -> [String: String] {
        let answer = try Tools.run(try Tools.which("redis-cli"), ["-p", String(port), "INFO", section])
        var fields: [String: String] = [:]
        for line in answer.output.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return fields
    }

    /// How many `WAIT` commands the master has run (`INFO commandstats`, `cmdstat_wait:calls=N`).
    public func waitCalls() throws -> Int {
        guard let stats = try Self.info(port: master.port, section: "commandstats")["cmdstat_wait"] else { return 0 }
        let calls = stats.split(separator: ",").first { $0.hasPrefix("calls=") }
        return calls.flatMap { Int($0.dropFirst("calls=".count)) } ?? 0
    }
}
