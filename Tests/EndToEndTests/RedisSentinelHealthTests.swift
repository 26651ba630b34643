import Foundation
import NSTestSupport
import Testing

@Suite("nsctl health and backup with Redis Sentinel", .serialized)
struct RedisSentinelHealthTests {
    static func health(_ set: RedisFailoverSet, folder: String) async throws -> (status: Int32?, lines: [String], perfdata: String) {
        let outcome = try await NSCtlRunner.run(["health", "--service", "redis"], environment: ["REDIS_SENTINELS": set.sentinelList], directory: folder)
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        return (outcome.status, lines, lines.first?.split(separator: "|").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
    }

    @Test("healthy: OK naming the master, its replica in sync and the sentinels that agree, with perfdata")
    func healthy() async throws {
        let set = try await RedisFailoverSet()
        let folder = try Tools.temporaryDirectory("sentinel-health")
        let check = try await Self.health(set, folder: folder)
        #expect(check.status == 0, "\(check.lines)")
        #expect(check.lines.first?.hasPrefix("NEUROSWARM OK - redis ") == true, "\(check.lines)")
        #expect(check.lines.contains("sentinel: OK - master 127.0.0.1:\(set.master.port), 1 of 1 replicas in sync, 3 of 3 sentinels agree (quorum 2)"),
                "\(check.lines)")
        #expect(check.perfdata.wholeMatch(of: /redis=[0-9.]+s;0\.5;1;0 redis_replicas_in_sync=1;1:;;0 sentinels_agreeing=3;2:;1:;0;3/) != nil, "\(check.perfdata)")
        await set.stop()
    }

    @Test("no replica in sync is WARNING; no master found is CRITICAL")
    func degraded() async throws {
        let set = try await RedisFailoverSet(withReplica: false)
        let folder = try Tools.temporaryDirectory("sentinel-health")
        let alone = try await Self.health(set, folder: folder)
        #expect(alone.status == 1, "\(alone.lines)")
        #expect(alone.lines.contains("sentinel: WARNING - master 127.0.0.1:\(set.master.port), 0 of 0 replicas in sync, 3 of 3 sentinels agree (quorum 2): no replica in sync"),
                "\(alone.lines)")
        #expect(alone.perfdata.contains(" redis_replicas_in_sync=0;1:;;0 "), "\(alone.perfdata)")

        await set.master.kill9()
        let none = try await Self.health(set, folder: folder)
        #expect(none.status == 2, "\(none.lines)")
        #expect(none.lines.first?.hasPrefix("NEUROSWARM CRITICAL - redis down (") == true, "\(none.lines)")
        #expect(none.lines.contains { $0.hasPrefix("sentinel: CRITICAL - no master found (Redis is unreachable: no sentinel named a usable master 'mymaster' (") }, "\(none.lines)")
        #expect(none.perfdata.contains("redis=;0.5;1;0 redis_replicas_in_sync=;1:;;0 sentinels_agreeing=0;2:;1:;0;3"), "\(none.perfdata)")
        await set.stop()
    }

    @Test("a malformed REDIS_SENTINELS is one line naming it")
    func malformed() async throws {
        let folder = try Tools.temporaryDirectory("sentinel-health")
        let outcome = try await NSCtlRunner.run(["health", "--service", "redis"], environment: ["REDIS_SENTINELS": "s1:26379,,"], directory: folder)
        #expect(outcome.status == 3)
        #expect(outcome.stdout == "NEUROSWARM UNKNOWN - configuration error: REDIS_SENTINELS has \"\", which is not host:port; list the sentinels as host:26379,host:26379,... (at most 16)\n",
                "\(outcome.stdout)")
    }

    @Test("nsctl backup redis-data snapshots the master that Sentinel names")
    func backup() async throws {
        let set = try await RedisFailoverSet()
        let replica = try #require(set.replica)
        let directory = try Tools.temporaryDirectory("sentinel-backup")  // nsctl's working directory: no .env
        func cli(_ port: Int, _ command: [String]) async throws -> String {
            let cli = try ChildProcess(executable: try Tools.which("redis-cli"), arguments: ["-p", String(port)] + command, environment: [:])
            #expect(await cli.waitForExit(timeout: .seconds(10)) == 0)
            return cli.stdout
        }
        _ = try await cli(set.master.port, ["SET", "sentinel-probe", "kept"])
        let out = try Tools.temporaryDirectory("sentinel-backups")
        let backup = try await NSCtlRunner.run(["backup", "redis-data", "--out", out], environment: ["REDIS_SENTINELS": set.sentinelList], directory: directory)
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = out + "/" + (try BackupRestoreTests.backups(in: out).first ?? "missing")
        let unpacked = try Tools.temporaryDirectory("sentinel-unpacked")
        #expect(try await BackupRestoreTests.tar(["-xzf", archive, "-C", unpacked]) == 0)
        let rdb = try Data(contentsOf: URL(fileURLWithPath: unpacked + "/data/dump.rdb"))
        #expect(rdb.range(of: Data("sentinel-probe".utf8)) != nil)
        #expect(try await cli(set.master.port, ["INFO", "persistence"]).split(whereSeparator: \.isNewline).contains("rdb_saves:1"), "the master saved it")
        #expect(try await cli(replica.port, ["INFO", "persistence"]).split(whereSeparator: \.isNewline).contains("rdb_saves:0"), "not the replica")
        await set.stop()
    }
}
