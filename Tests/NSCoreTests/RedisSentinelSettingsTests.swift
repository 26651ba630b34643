import Foundation
import NSCore
import Testing

@Suite("REDIS_SENTINELS settings")
struct RedisSentinelSettingsTests {
    func load(_ environment: [String: String]) throws(ConfigurationError) -> DaemonSettings {
        try DaemonSettings.load(roles: [.gateway, .vp], source: ConfigurationSource(environment: environment))
    }

    @Test("a list of sentinels, in order, with the default master name and port; REDIS_URL alone still means one server")
    func parsed() throws {
        let settings = try load(["REDIS_SENTINELS": "s1:26379, 10.0.0.2:26380,[::1]:26381,s4"])
        let sentinel = try #require(settings.redisSentinel)
        #expect(sentinel.sentinels == [RedisAddress(host: "s1", port: 26_379), RedisAddress(host: "10.0.0.2", port: 26_380),
                                       RedisAddress(host: "::1", port: 26_381), RedisAddress(host: "s4", port: 26_379)])
        #expect(sentinel.masterName == "mymaster" && sentinel.password == nil)
        #expect(settings.usesRedis && settings.redisURL == nil)
        let single = try load(["REDIS_URL": "redis://redis:6379"])
        #expect(single.redisSentinel == nil && single.usesRedis && single.notices.isEmpty)
    }

    @Test("with REDIS_URL too, Sentinel names the master and REDIS_URL gives its credentials; nsd says so at start")
    func bothSet() throws {
        let settings = try load(["REDIS_SENTINELS": "s1:26379", "REDIS_URL": "redis://:pw@ignored:6379/2", "REDIS_MASTER_NAME": "queue"])
        #expect(settings.redisSentinel?.masterName == "queue")
        #expect(settings.notices.contains { $0.contains("REDIS_SENTINELS is set") && $0.contains("REDIS_URL supplies only its user, password and database") })
        #expect(!settings.notices.joined().contains("pw@"))
    }

    @Test("the sentinel password comes from REDIS_SENTINEL_PASSWORD or its _FILE, and is never printed")
    func password() throws {
        let file = NSTemporaryDirectory() + "sentinel-pass-\(UUID().uuidString)"
        try "from a file\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }  // a leftover temporary file harms nothing
        let fromFile = try load(["REDIS_SENTINELS": "s1", "REDIS_SENTINEL_PASSWORD_FILE": file])
        #expect(fromFile.redisSentinel?.password?.reveal() == "from a file")
        #expect("\(String(describing: fromFile.redisSentinel))".contains("from a file") == false)
        #expect(throws: ConfigurationError.self) {
            _ = try load(["REDIS_SENTINELS": "s1", "REDIS_SENTINEL_PASSWORD": "a", "REDIS_SENTINEL_PASSWORD_FILE": file])
        }
    }

    static let seventeen = (1...17).map { "s\($0)" }.joined(separator: ",")

    static let refusals: [(environment: [String: String], variable: String, problem: String)] = [
        (["REDIS_SENTINELS": "s1:26379,,s2:26379"], "REDIS_SENTINELS", "has \"\", which is not host:port"),
        (["REDIS_SENTINELS": "s1:port"], "REDIS_SENTINELS", "has \"s1:port\", which is not host:port"),
        (["REDIS_SENTINELS": "s1:0"], "REDIS_SENTINELS", "which is not host:port"),
        (["REDIS_SENTINELS": "redis://s1:26379"], "REDIS_SENTINELS", "which is not host:port"),
        (["REDIS_SENTINELS": "::1:26379"], "REDIS_SENTINELS", "which is not host:port"),
        (["REDIS_SENTINELS": "s1:26379,s1:26379"], "REDIS_SENTINELS", "names s1:26379 twice"),
        (["REDIS_SENTINELS": seventeen], "REDIS_SENTINELS", "names 17 sentinels"),
        (["REDIS_SENTINELS": "s1", "REDIS_MASTER_NAME": "my master"], "REDIS_MASTER_NAME", "is not a Sentinel master name"),
        (["REDIS_MASTER_NAME": "queue"], "REDIS_MASTER_NAME", "is set without REDIS_SENTINELS"),
        (["REDIS_SENTINEL_PASSWORD": "secret-value"], "REDIS_SENTINEL_PASSWORD", "is set without REDIS_SENTINELS"),
    ]

    @Test("malformed lists, names and orphaned settings are refused naming the variable and the fix", arguments: Self.refusals)
    func refused(_ case: (environment: [String: String], variable: String, problem: String)) throws {
        let (environment, variable, problem) = `case`
        let error = try #require(throws: ConfigurationError.self) { _ = try load(environment) }
        #expect(error.variable == variable)
        #expect(error.problem.contains(problem), "\(error)")
        #expect(!error.fix.isEmpty)
        let line = error.description
        #expect(!line.contains("secret-value") && !line.contains("\n"))
    }
}
