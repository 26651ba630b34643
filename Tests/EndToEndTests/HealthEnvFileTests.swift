import Foundation
import NSTestSupport
import Testing

/// `nsctl health` reads its `.env` once: the settings and the secrets' dates come from the same
/// bytes, so a file that can be read only once (a pipe, e.g. `--env-file <(sops -d .env.enc)`)
/// still has its secrets aged.
@Suite("nsctl health and its .env")
struct HealthEnvFileTests {
    @Test("a .env given as a pipe configures the check and dates the secrets: an overdue one is WARNING")
    func envFileReadOnce() async throws {
        let nsd = try await NSDInstance(roles: ["gateway", "ns"], environment: ["JWT_SECRET": ClientToken.secret])
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-45 * 86_400))
        let folder = try Tools.temporaryDirectory("health-env")
        let dotEnv = folder + "/.env"
        try Data("""
            GATEWAY_URL=\(nsd.url("gateway-node", ""))
            NS_NODE_URL=\(nsd.url("ns-node", ""))
            # JWT_SECRET generated \(stamp)
            JWT_SECRET=\(ClientToken.secret)

            """.utf8).write(to: URL(fileURLWithPath: dotEnv))
        let script = #""$0" health --service gateway,ns --env-file <(cat "$1")"#
        let child = try ChildProcess(executable: "/bin/bash", arguments: ["-c", script, try NSDInstance.nsctl(), dotEnv],
                                     environment: NSDInstance.environment([:]), directory: folder)
        let status = await child.waitForExit(timeout: .seconds(60))
        #expect(child.stdout.hasPrefix("NEUROSWARM WARNING - ") && child.stdout.contains("; secrets JWT_SECRET 45 days old"), "\(child.stdout)\(child.stderr)")
        #expect(status == 1 && child.stdout.contains("gateway-node") && child.stdout.contains("secret_age_days=45;30;;0"), "\(child.stdout)")
        #expect(await nsd.stop() == 0)
    }
}
