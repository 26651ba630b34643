import AsyncHTTPClient
import Foundation
import NSCore
import NSTestSupport

/// What every scenario shares: secrets, a steady client, and the verdict printed at the end.
struct Scenario {
    static let jwtSecret = String(repeating: "fa", count: 24)
    static let adminSecret = String(repeating: "0b", count: 24)
    static let environment = [
        "JWT_SECRET": jwtSecret, "ADMIN_JWT_SECRET": adminSecret, "SESSION_SECRET": String(repeating: "5e", count: 24),
        "INTERNAL_TOKEN": String(repeating: "17", count: 32), "RATE_LIMIT_MAX_REQUESTS": "10000000",
    ]
    static let nsctl = URL(fileURLWithPath: ProcessInfo.processInfo.environment["NSCTL"] ?? ".build/release/nsctl").standardizedFileURL.path
    static let client = HTTPClient(eventLoopGroupProvider: .singleton)

    let name: String
    /// Whether a dependency outage in this scenario must show up as 503s at the gateway.
    let expectsUnavailable: Bool

    static func tokens() async throws -> (client: String, operator: String) {
        (try await TokenMinter.mint(secret: Secret(jwtSecret), subject: "fault-client", role: nil, lifetime: .seconds(3600)),
         try await TokenMinter.mint(secret: Secret(adminSecret), subject: "fault-operator", role: "operator", lifetime: .seconds(3600)))
    }

    static func ports(_ roles: [String]) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try roles.map { ($0, try Tools.freePort()) })
    }

    /// Runs `traffic` while `fault` happens, then judges. Returns whether the scenario passed.
    func run(traffic: Traffic, verdict: Verdict, fault: () async throws -> Void) async throws -> Bool {
        print("scenario \(name): running")
        let client = Task { await traffic.run() }
        try await Task.sleep(for: .seconds(2))
        try await fault()
        try await Task.sleep(for: .seconds(3))
        await traffic.stop()
        await client.value
        let accepted = await traffic.accepted
        let counts = await verdict.judge(accepted)
        let (verified, chainOutput) = verdict.chainVerifies()
        let violations = await traffic.violations
        let unavailable = await traffic.unavailable
        let refused = await traffic.refused
        var failures: [String] = []
        if counts.lost > 0 { failures.append("\(counts.lost) accepted artifact(s) lost") }
        if counts.duplicated > 0 { failures.append("\(counts.duplicated) artifact(s) committed twice") }
        if !verified { failures.append("nsctl chain verify failed: \(chainOutput)") }
        if !violations.isEmpty { failures.append("gateway misbehaved: \(violations.prefix(5).joined(separator: "; "))") }
        if expectsUnavailable && unavailable == 0 { failures.append("the gateway never answered 503 with Retry-After during the outage") }
        if counts.accepted == 0 { failures.append("nothing was accepted") }
        print("""
              scenario \(name): \(failures.isEmpty ? "PASS" : "FAIL")
                accepted \(counts.accepted), committed \(counts.committed), dead-lettered \(counts.deadLettered) (retried from the DLQ: \(counts.retriedFromDLQ)), lost \(counts.lost), duplicated \(counts.duplicated)
                gateway: \(unavailable) x 503 with Retry-After, \(refused) refused connection(s) (process down), \(violations.count) violation(s)
                \(chainOutput)
              """)
        for failure in failures { print("  FAIL: \(failure)") }
        return failures.isEmpty
    }
}
