import Foundation
import NSCore
import NSTestSupport
import Testing

/// The ledger on a PostgreSQL primary with a synchronous standby, `DATABASE_URL` naming both: when
/// the primary is killed and the standby promoted (as an operator or a failover manager would),
/// the ns-nodes find the new primary within seconds and nothing acknowledged is missing.
@Suite("the ledger on PostgreSQL: primary lost, standby promoted", .serialized)
struct PostgresFailoverTests {
    @Test("kill -9 of the primary under steady submissions, then promote: ns-nodes reconnect within seconds, every 202 commits once, the chain verifies",
          .timeLimit(.minutes(5)))
    func promoteStandby() async throws {
        let (primary, standby) = try await PostgresServer.primaryWithStandby()
        let database = "e2e_failover"
        try primary.createDatabase(database)
        let databaseURL = "postgres://\(primary.user):\(primary.password)@127.0.0.1:\(primary.port),127.0.0.1:\(standby.port)/\(database)"
            + "?sslmode=disable&target_session_attrs=read-write"
        let folder = try Tools.temporaryDirectory("postgres-failover")
        let data = folder + "/data"
        try Data(databaseURL.utf8).write(to: URL(fileURLWithPath: folder + "/database_url"))
        // Jobs whose ledger call fails while no primary is reachable are retried, not dead-lettered.
        let environment = AuditAnchorTests.environment.merging(["DATABASE_URL_FILE": folder + "/database_url", "DATABASE_TIMEOUT_MS": "2000",
                                                                 "JOB_MAX_RETRIES": "50"]) { $1 }
        let first = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let second = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let (nsA, nsB) = (first.url("ns-node", ""), second.url("ns-node", ""))
        let front = try await NSDInstance(roles: ["gateway", "vp", "admin"], environment: environment.merging(["NS_NODE_URL": "\(nsA),\(nsB)"]) { $1 },
                                          directory: folder, dataDirectory: data)
        let gateway = front.url("gateway-node", "")
        let token = ClientToken.make(sub: "alice")
        let health = try await Fetched.get(nsA + "/health")
        #expect(PostgresDeploymentTests.storeCheck(health)?["detail"] as? String == "PostgreSQL primary 127.0.0.1:\(primary.port)", "\(health.body)")

        let contents = (0..<40).map { "across the failover \($0)" }
        let load = Task { try await PostgresDeploymentTests.submit(gateway, token: token, contents: contents, pause: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(700))
        await primary.kill9()
        try standby.promote()
        let promoted = ContinuousClock.now

        // Both ns-nodes find the new primary within seconds.
        for node in [nsA, nsB] {
            var healthy = false
            while !healthy, ContinuousClock.now - promoted < .seconds(15) {
                let answer = try await Fetched.get(node + "/health")
                healthy = answer.status == 200
                    && PostgresDeploymentTests.storeCheck(answer)?["detail"] as? String == "PostgreSQL primary 127.0.0.1:\(standby.port)"
                if !healthy { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(healthy, "\(node) did not report the promoted standby as its primary within 15 s")
        }

        let accepted = try await load.value
        #expect(accepted.count == contents.count, "every submission was accepted (202)")
        #expect(try await PostgresDeploymentTests.allCommitted(gateway, token: token, ids: accepted.map(\.id), seconds: 60),
                "an accepted artifact never committed after the failover")
        for artifact in accepted {
            let sha = MerkleHash.sha256(Array(artifact.content.utf8)).hex
            let anchored = try await Fetched.get(nsB + "/v1/artifacts/\(sha)")
            #expect((anchored.json?["txs"] as? [Any])?.count == 1, "\(artifact.content) is committed exactly once: \(anchored.body)")
        }
        let chain = try await NSCtlRunner.run(["chain", "verify"], environment: ["DATABASE_URL_FILE": folder + "/database_url"], directory: folder)
        #expect(chain.status == 0 && chain.stdout.hasPrefix("chain verified to height "), "\(chain.stdout)\(chain.stderr)")

        #expect(await front.stop() == 0)
        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
        await standby.stop()
        await primary.stop()
    }
}
