import Foundation
import NSQueue
import NSRedis

/// Wall time plus CPU time of this process (producers, workers and the queue client) and, when
/// the backend is Redis, of redis-server (its `INFO cpu`). CPU per job shows which side a rate is
/// bound by on two cores: redis-server runs its commands and scripts on one thread.
struct CPUClock {
    let server: RedisClient?

    struct Sample {
        let wall: ContinuousClock.Instant
        let client: Double
        let server: Double?
        let scripts: Int?
        /// AOF rewrites so far, and the CPU time of redis-server's finished children (the forked
        /// rewrites), which compete for the same two cores.
        let rewrites: Int?
        let children: Double?
    }

    func now() async throws -> Sample {
        let info = try await server?.command(["INFO", "all"]).string
        return Sample(wall: .now, client: Self.processCPUSeconds(), server: info.map { Self.cpuSeconds($0) }, scripts: info.map(Self.scriptCalls),
                      rewrites: info.flatMap { Self.field("aof_rewrites", in: $0) }.flatMap { Int($0) },
                      children: info.map { Self.cpuSeconds($0, suffix: "_children") })
    }

    /// Prints one line: jobs, seconds, jobs/s, then CPU µs per job of this process and of redis-server.
    func report(_ label: String, _ count: Int, _ start: Sample) async throws {
        let end = try await now()
        let seconds = (end.wall - start.wall) / .seconds(1)
        var line = String(format: "%-58@ %7d jobs in %6.2f s = %8.0f jobs/s", label as NSString, count, seconds, Double(count) / seconds)
        line += String(format: "   cpu/job: bench %5.1f µs", (end.client - start.client) * 1e6 / Double(count))
        if let before = start.server, let after = end.server {
            line += String(format: ", redis %5.1f µs", (after - before) * 1e6 / Double(count))
        }
        if let before = start.scripts, let after = end.scripts {
            line += String(format: "; %.1f jobs per script call", Double(count) / Double(max(1, after - before)))
        }
        if let before = start.rewrites, let after = end.rewrites, after > before {
            line += String(format: "; %d AOF rewrite(s) meanwhile", after - before)
            if let cpuBefore = start.children, let cpuAfter = end.children {
                line += String(format: " (children: %.1f µs/job)", (cpuAfter - cpuBefore) * 1e6 / Double(count))
            }
        }
        print(line)
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `used_cpu_sys` + `used_cpu_user` from `INFO`: the whole server process (with `suffix`
    /// `_children`: its finished children).
    private static func cpuSeconds(_ info: String, suffix: String = "") -> Double {
        field("used_cpu_sys" + suffix, in: info).flatMap(Double.init).map { $0 + (field("used_cpu_user" + suffix, in: info).flatMap(Double.init) ?? 0) } ?? 0
    }

    /// EVALSHA and EVAL calls so far (`cmdstat_evalsha:calls=N,...`).
    private static func scriptCalls(_ info: String) -> Int {
        ["cmdstat_evalsha", "cmdstat_eval"].reduce(0) { total, name in
            let stats = field(name, in: info) ?? ""
            let calls = stats.split(separator: ",").first { $0.hasPrefix("calls=") }?.dropFirst("calls=".count)
            return total + (calls.flatMap { Int($0) } ?? 0)
        }
    }

    private static func field(_ name: String, in info: String) -> String? {
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
