import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

@Suite("ns-node durability and tamper detection with real processes")
struct LedgerCrashTests {
    func nsctl(_ arguments: [String]) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let child = try ChildProcess(executable: try NSDInstance.nsctl(), arguments: arguments, environment: NSDInstance.environment([:]))
        let status = await child.waitForExit(timeout: .seconds(60))
        return (status, child.stdout, child.stderr)
    }

    @Test("kill -9 during a block append loop: after restart the tip is the last acknowledged block and the chain verifies")
    func killDuringAppends() async throws {
        var nsd = try await NSDInstance(roles: ["ns"])
        let dataDirectory = nsd.dataDirectory
        var acknowledged: [LedgerTransaction] = []
        var lastAckedHeight = 0
        var next = 0
        for round in 0..<3 {
            let driver = try LedgerDriver(nsd)
            let killAfter = Duration.milliseconds(300 + 250 * round)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < killAfter {
                let txs = LedgerDriver.txs(40, from: next)
                next += 40
                guard let answer = try? await driver.produce(txs), answer.status == 201 else { break }
                acknowledged += txs
                lastAckedHeight = answer.json?["height"] as? Int ?? lastAckedHeight
            }
            // One more block in flight while the process dies.
            let pending = LedgerDriver.txs(40, from: next)
            let inFlight = Task { [driver] in try? await driver.produce(pending) }
            nsd.child.signal(SIGKILL)
            _ = await nsd.child.waitForExit(timeout: .seconds(10))
            // Its answer no longer matters; the client would otherwise retry the dead port until its deadline.
            inFlight.cancel()
            next += 40

            nsd = try await NSDInstance(roles: ["ns"], dataDirectory: dataDirectory)
            let tip = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/blocks/latest")).json?["height"] as? Int)
            #expect(tip == lastAckedHeight || tip == lastAckedHeight + 1, "tip \(tip), last acknowledged \(lastAckedHeight)")
            lastAckedHeight = tip
            for tx in acknowledged.suffix(40) + acknowledged.prefix(5) {
                #expect(try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(tx.hash.hex)")).status == 200)
            }
        }
        #expect(lastAckedHeight >= 3)
        #expect(await nsd.stop() == 0)
        let verified = try await nsctl(["chain", "verify", "--db", dataDirectory + "/ns-node-data/neuroswarm_chain.db"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("chain verified to height \(lastAckedHeight)"))
    }

    @Test("nsctl chain verify names the height of a changed byte and exits 1")
    func tamperedByteNamed() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        for block in 0..<4 {
            #expect(try await driver.produce(LedgerDriver.txs(5, from: block * 5)).status == 201)
        }
        #expect(await nsd.stop() == 0)
        let path = nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db"
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            // Block 3 holds leaves 10..14; change one character of leaf 12's preview.
            try db.execute(sql: "UPDATE txs SET body = CAST(replace(CAST(body AS TEXT), 'number 12', 'number 13') AS BLOB) WHERE leaf_index = 12")
        }
        try queue.close()
        let result = try await nsctl(["chain", "verify", "--db", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("chain verification failed at height 3: txHash"), "\(result.stderr)")
    }
}
