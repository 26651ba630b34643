import Foundation
import Logging
import NSCore
import Testing

@Suite("daemon settings")
struct DaemonSettingsTests {
    static let strong = String(repeating: "ab", count: 32)

    func load(_ environment: [String: String], roles: Set<NodeRole> = NodeRole.pipeline) throws(ConfigurationError) -> DaemonSettings {
        try DaemonSettings.load(roles: roles, source: ConfigurationSource(environment: environment))
    }

    @Test("defaults are the seeds'")
    func seedDefaults() throws {
        let settings = try load([:])
        #expect(settings.mode == .development)
        #expect(settings.ports == [.gateway: 8080, .ns: 3009, .vp: 3002, .admin: 3000])
        #expect(settings.rateLimitWindow == .milliseconds(60_000))
        #expect(settings.rateLimitMaxRequests == 100)
        #expect(settings.enableCORS)
        #expect(settings.corsOrigins == ["*"])
        #expect(settings.nsCheckRetries == 5)
        #expect(!settings.nsCheckExitOnFail)
        #expect(settings.jobQueueWorkers == 10 && settings.jobLeaseBatch == 32)
        #expect(settings.jobTimeout == .milliseconds(60_000))
        #expect(settings.jobMaxRetries == 3)
        #expect(settings.sandboxTimeout == .milliseconds(5_000))
        #expect(settings.sandboxMaxMemoryMB == 128)
        #expect(settings.sandboxRuntimes == [SandboxRuntime(language: "python", executable: "/usr/bin/python3", arguments: ["-I", "-S"]),
                                             SandboxRuntime(language: "sh", executable: "/bin/sh")])
        #expect(settings.ledgerDatabasePath == "./data/ns-node-data/neuroswarm_chain.db")
        #expect(settings.enableMetrics)
        #expect(settings.logLevel == .info)
        #expect(settings.nsNodeURLs == nil)
        #expect(settings.redisURL == nil)
        #expect(settings.roles == [.ns, .vp, .gateway, .admin])
    }

    @Test("every seed variable is read")
    func seedVariablesAreRead() throws {
        let settings = try load([
            "NODE_ENV": "production", "NS_NODE_URL": "http://ns-node:3009", "REDIS_URL": "redis://redis:6379",
            "JWT_SECRET": Self.strong, "ADMIN_JWT_SECRET": Self.strong, "SESSION_SECRET": Self.strong,
            "RATE_LIMIT_WINDOW_MS": "1000", "RATE_LIMIT_MAX_REQUESTS": "5", "ENABLE_CORS": "true",
            "CORS_ORIGIN": "https://a.example,https://b.example", "NS_CHECK_RETRIES": "2", "NS_CHECK_EXIT_ON_FAIL": "yes",
            "JOB_QUEUE_WORKERS": "4", "JOB_LEASE_BATCH": "3", "JOB_TIMEOUT_MS": "2000", "JOB_MAX_RETRIES": "6", "SANDBOX_TIMEOUT_MS": "700",
            "SANDBOX_MAX_MEMORY_MB": "64", "DB_PATH": "/data/neuroswarm_chain.db", "ENABLE_METRICS": "false", "LOG_LEVEL": "warn",
            "INTERNAL_TOKEN": Self.strong, "NS_SIGNING_KEY": LedgerKey(generatingNamed: "ns").exportSeed(),
            "VALIDATOR_PUBLIC_KEYS": "vp-node=\(LedgerKey(generatingNamed: "vp").publicKey.base64)",
            "VP_SIGNING_KEY": LedgerKey(generatingNamed: "vp").exportSeed(), "BLOCK_INTERVAL_MS": "250", "BLOCK_MAX_TXS": "500",
            "LEDGER_SUBMITTER_KEY": Self.strong,
        ])
        #expect(settings.mode == .production)
        #expect(settings.ledger.blockInterval == .milliseconds(250) && settings.ledger.blockMaxTxs == 500)
        #expect(settings.ledger.producerKey != nil)
        #expect(settings.nsNodeURLs?.map(\.absoluteString) == ["http://ns-node:3009"])
        #expect(settings.redisURL?.host == "redis")
        #expect(settings.jwtSecret?.reveal() == Self.strong)
        #expect(settings.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(settings.nsCheckRetries == 2 && settings.nsCheckExitOnFail)
        #expect(settings.jobQueueWorkers == 4 && settings.jobLeaseBatch == 3 && settings.jobMaxRetries == 6)
        #expect(settings.jobTimeout == .milliseconds(2000) && settings.sandboxTimeout == .milliseconds(700))
        #expect(settings.sandboxMaxMemoryMB == 64)
        #expect(settings.ledgerDatabasePath == "/data/neuroswarm_chain.db")
        #expect(!settings.enableMetrics)
        #expect(settings.logLevel == .warning)
        #expect(settings.rateLimitWindow == .milliseconds(1000) && settings.rateLimitMaxRequests == 5)
        #expect(settings.notices.isEmpty)
    }

    @Test("REDIS_MIN_REPLICAS defaults to 0 (no WAIT) with a one-second WAIT timeout; both are read when set")
    func redisReplication() throws {
        #expect(try load([:]).redisReplication == RedisReplicationSettings(minReplicas: 0, waitTimeout: .seconds(1)))
        #expect(!(try load([:]).redisReplication.isRequired))
        let set = try load(["REDIS_MIN_REPLICAS": "2", "REDIS_WAIT_TIMEOUT_MS": "250"]).redisReplication
        #expect(set == RedisReplicationSettings(minReplicas: 2, waitTimeout: .milliseconds(250)) && set.isRequired)
    }

    @Test("PORT sets the port only when a single role runs")
    func portAppliesToOneRole() throws {
        #expect(try load(["PORT": "9000"], roles: [.ns]).ports == [.ns: 9000])
        #expect(try load(["PORT": "9000"]).ports[.ns] == 3009)
        #expect(try load(["NS_PORT": "9100", "GATEWAY_PORT": "0"]).ports[.ns] == 9100)
    }

    @Test("configuration errors name the variable and the fix", arguments: [
        (["JOB_QUEUE_WORKERS": "ten"], "JOB_QUEUE_WORKERS", "not a whole number"),
        (["JOB_QUEUE_WORKERS": "0"], "JOB_QUEUE_WORKERS", "out of range"),
        (["JOB_LEASE_BATCH": "1001"], "JOB_LEASE_BATCH", "out of range"),
        (["NS_PORT": "70000"], "NS_PORT", "out of range"),
        (["ENABLE_METRICS": "maybe"], "ENABLE_METRICS", "not a boolean"),
        (["NODE_ENV": "staging"], "NODE_ENV", "not one of"),
        (["LOG_LEVEL": "loud"], "LOG_LEVEL", "not one of"),
        (["NS_NODE_URL": "ftp://x"], "NS_NODE_URL", "not a valid"),
        (["NS_NODE_URL": "http://a:3009,ftp://b"], "NS_NODE_URL", "entry 2 of 2 \"ftp://b\" is not a valid"),
        (["NS_NODE_URL": "http://a:3009,"], "NS_NODE_URL", "entry 2 of 2 is empty"),
        (["NS_NODE_URL": "http://a:3009, http://a:3009"], "NS_NODE_URL", "entry 2 of 2 \"http://a:3009\" repeats"),
        (["REDIS_URL": "localhost:6379"], "REDIS_URL", "not a valid"),
        (["GATEWAY_PORT": "3009"], "PORT", "same port"),
        (["REDIS_MIN_REPLICAS": "two"], "REDIS_MIN_REPLICAS", "not a whole number"),
        (["REDIS_MIN_REPLICAS": "-1"], "REDIS_MIN_REPLICAS", "out of range"),
        (["REDIS_WAIT_TIMEOUT_MS": "0"], "REDIS_WAIT_TIMEOUT_MS", "out of range"),
        (["REDIS_WAIT_TIMEOUT_MS": "10001"], "REDIS_WAIT_TIMEOUT_MS", "out of range"),
    ])
    func invalidValues(environment: [String: String], variable: String, problem: String) {
        #expect {
            _ = try load(environment)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == variable && error.problem.contains(problem) && !error.fix.isEmpty
        }
    }

    @Test("NS_NODE_URL lists several ns-nodes in order; a bad entry with a password is named by position only")
    func severalNSNodes() throws {
        let settings = try load(["NS_NODE_URL": "http://ns-a:3009, https://ns-b:3009"])
        #expect(settings.nsNodeURLs?.map(\.absoluteString) == ["http://ns-a:3009", "https://ns-b:3009"])
        #expect {
            _ = try load(["NS_NODE_URL": "http://ns-a:3009,http://user:hunter2@"])
        } throws: { error in
            let text = (error as? ConfigurationError)?.description ?? ""
            return text.contains("NS_NODE_URL") && text.contains("entry 2 of 2") && !text.contains("hunter2")
        }
    }

    @Test("production refuses missing and short secrets without printing them")
    func productionSecrets() {
        let short = "tooshort-secret-value"
        #expect {
            _ = try load(["NODE_ENV": "production", "JWT_SECRET": short, "CORS_ORIGIN": "https://a.example"], roles: [.gateway])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "JWT_SECRET" && error.map { !$0.description.contains(short) } == true
        }
        #expect {
            _ = try load(["NODE_ENV": "production", "JWT_SECRET": Self.strong], roles: [.admin])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "ADMIN_JWT_SECRET"
        }
    }

    @Test("a REDIS_URL with a password is not echoed in its error")
    func urlPasswordNotEchoed() {
        #expect {
            _ = try load(["REDIS_URL": "tcp://:hunter2hunter2@redis:6379"])
        } throws: { error in
            (error as? ConfigurationError).map { !$0.description.contains("hunter2") } == true
        }
    }

    @Test("development leaves missing secrets to the data folder's files; production refuses them")
    func developmentSecretsFromTheDataFolder() throws {
        let settings = try load([:])
        #expect(settings.jwtSecret == nil && settings.adminJWTSecret == nil && settings.sessionSecret == nil)
        #expect(Set(DataLayout.developmentSecretFiles.keys) == ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN",
                                                                "LEDGER_SUBMITTER_KEY"])
        #expect(throws: ConfigurationError.self) { _ = try load(["NODE_ENV": "production", "INTERNAL_TOKEN": Self.strong]) }
    }

    @Test("NODE_ENV=production with CORS_ORIGIN=* refuses to start the gateway")
    func wildcardCORSInProduction() throws {
        let secrets = ["JWT_SECRET": Self.strong, "NODE_ENV": "production", "INTERNAL_TOKEN": Self.strong, "LEDGER_SUBMITTER_KEY": Self.strong]
        #expect(throws: ConfigurationError.self) { _ = try load(secrets, roles: [.gateway]) }
        _ = try load(secrets.merging(["ENABLE_CORS": "false"]) { $1 }, roles: [.gateway])
        _ = try load(secrets.merging(["ADMIN_JWT_SECRET": Self.strong, "VP_SIGNING_KEY": LedgerKey(generatingNamed: "vp").exportSeed()]) { $1 }, roles: [.vp])
    }

    @Test("vp-node needs ADMIN_JWT_SECRET in production: its operator API checks tokens signed with it")
    func vpNeedsAdminSecret() {
        #expect {
            _ = try load(["NODE_ENV": "production", "INTERNAL_TOKEN": Self.strong, "VP_SIGNING_KEY": LedgerKey(generatingNamed: "vp").exportSeed()],
                         roles: [.vp])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "ADMIN_JWT_SECRET"
        }
    }

    @Test("an empty role set is refused")
    func noRoles() {
        #expect(throws: ConfigurationError.self) { _ = try load([:], roles: []) }
    }

    @Test("VALIDATOR_PUBLIC_KEYS takes named and bare keys and refuses bad or repeated ones")
    func validatorKeys() throws {
        let a = LedgerKey(generatingNamed: "a").publicKey.base64
        let b = LedgerKey(generatingNamed: "b").publicKey.base64
        let settings = try load(["VALIDATOR_PUBLIC_KEYS": "vp-1=\(a), \(b)"], roles: [.ns])
        #expect(settings.ledger.validators?.map(\.name) == ["vp-1", "validator-2"])
        #expect(settings.ledger.validators?.map(\.publicKey.base64) == [a, b])
        for bad in ["vp-1=notakey", "\(a),\(a)", "zzz"] {
            #expect {
                _ = try load(["VALIDATOR_PUBLIC_KEYS": bad], roles: [.ns])
            } throws: { error in
                (error as? ConfigurationError)?.variable == "VALIDATOR_PUBLIC_KEYS"
            }
        }
    }

    @Test("SANDBOX_RUNTIMES lists language=/absolute/path [arguments]; anything else names the entry")
    func sandboxRuntimes() throws {
        let settings = try load(["SANDBOX_RUNTIMES": " node=/usr/bin/node --jitless , sh=/bin/sh "])
        #expect(settings.sandboxRuntimes == [SandboxRuntime(language: "node", executable: "/usr/bin/node", arguments: ["--jitless"]),
                                             SandboxRuntime(language: "sh", executable: "/bin/sh")])
        for bad in ["python=python3", "=/bin/sh", "sh", "py thon=/usr/bin/python3", "sh=/bin/sh,sh=/bin/dash"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try load(["SANDBOX_RUNTIMES": bad]) }
            do {
                _ = try load(["SANDBOX_RUNTIMES": bad])
            } catch {
                #expect(error.variable == "SANDBOX_RUNTIMES")
            }
        }
        #expect(try load(["SANDBOX_RUNTIMES": "None"]).sandboxRuntimes == [])
    }

    @Test("SANDBOX_ISOLATION, SANDBOX_SCRATCH_MB and SANDBOX_UID_BASE: defaults, values and refusals naming the variable")
    func sandboxPlacement() throws {
        let defaults = try load([:])
        #expect(defaults.sandboxIsolation == .auto && defaults.sandboxScratchMB == 16 && defaults.sandboxUIDBase == 1_900_000_000)
        let set = try load(["SANDBOX_ISOLATION": "Namespaces", "SANDBOX_SCRATCH_MB": "64", "SANDBOX_UID_BASE": "3000000000"])
        #expect(set.sandboxIsolation == .namespaces && set.sandboxScratchMB == 64 && set.sandboxUIDBase == 3_000_000_000)
        for (name, bad) in [("SANDBOX_ISOLATION", "chroot"), ("SANDBOX_SCRATCH_MB", "0"), ("SANDBOX_UID_BASE", "0")] {
            do {
                _ = try load([name: bad])
                Issue.record("\(name)=\(bad) was accepted")
            } catch {
                #expect(error.variable == name)
            }
        }
    }
}
