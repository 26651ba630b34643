import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("validator set changes on a real ns-node")
struct ValidatorGovernanceTests {
    /// POSTs a change to `/v1/validators` with the internal token (or `token`).
    func change(_ driver: LedgerDriver, _ body: JSONValue, token: String?? = .none) async throws -> Fetched {
        try await Fetched.post(driver.url("/v1/validators"), body: CanonicalJSON.encode(body), token: token ?? driver.token)
    }

    func validators(_ driver: LedgerDriver) async throws -> (list: [[String: Any]], changes: [[String: Any]]) {
        let json = try await Fetched.get(driver.url("/v1/validators")).json
        return (json?["validators"] as? [[String: Any]] ?? [], json?["changes"] as? [[String: Any]] ?? [])
    }

    @Test("only the internal token may change the set, and a bad body is 422 by JSON pointer")
    func guards() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        let key = LedgerKey(generatingNamed: "vp-2").publicKey.base64
        let add: JSONValue = ["action": "add", "name": "vp-2", "publicKey": .string(key), "requestedBy": "alice"]
        let anonymous = try await change(driver, add, token: .some(nil))
        #expect(anonymous.status == 401 && anonymous.headers["content-type"] == "application/problem+json")
        #expect(try await change(driver, add, token: "wrong-token").status == 401)

        let badKey = try await change(driver, ["action": "add", "name": "vp 2", "publicKey": "not-a-key", "requestedBy": ""])
        #expect(badKey.status == 422, "\(badKey.body)")
        let pointers = Set((badKey.json?["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String })
        #expect(pointers == ["/publicKey", "/name", "/requestedBy"], "\(badKey.body)")
        let shortKey = try await change(driver, ["action": "add", "name": "vp-2", "publicKey": .string(Base64.encode(Array(repeating: 7, count: 31))),
                                                 "requestedBy": "alice"])
        #expect(shortKey.status == 422 && shortKey.body.contains(#""pointer":"/publicKey""#), "\(shortKey.body)")
        let badRemove = try await change(driver, ["action": "remove", "id": "XYZ", "publicKey": .string(key), "requestedBy": "alice"])
        #expect(badRemove.status == 422 && badRemove.body.contains(#""pointer":"/id""#) && badRemove.body.contains(#""pointer":"/publicKey""#))
        let badAction = try await change(driver, ["action": "rotate", "requestedBy": "alice"])
        #expect(badAction.status == 422 && badAction.body.contains(#""pointer":"/action""#))
        #expect((try await validators(driver)).changes.isEmpty, "nothing refused was recorded")
        #expect(await nsd.stop() == 0)
    }

    @Test("add a key, produce with it at the next height, remove the first key, its next block is refused; the chain verifies")
    func addProduceRemove() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let first = try LedgerDriver(nsd)
        let secondKey = LedgerKey(generatingNamed: "vp-2")
        let second = first.signing(with: secondKey)
        let firstID = first.producer.publicKey.validatorID
        #expect(try await first.produce(LedgerDriver.txs(2)).status == 201)

        let before = try await validators(first)
        #expect(before.list.count == 1 && before.list.first?["active"] as? Bool == true && before.list.first?["addedHeight"] as? Int == 0)
        #expect(before.list.first?["removedHeight"] is NSNull && before.changes.isEmpty)
        #expect(try await second.produce(LedgerDriver.txs(2, from: 10)).json?["check"] as? String == "producer", "not a validator yet")

        let added = try await change(first, ["action": "add", "name": "vp-2", "publicKey": .string(secondKey.publicKey.base64), "requestedBy": "alice"])
        #expect(added.status == 201, "\(added.body)")
        #expect(added.json?["effectiveHeight"] as? Int == 2 && added.json?["action"] as? String == "add")
        #expect(added.json?["id"] as? String == secondKey.publicKey.validatorID && added.json?["name"] as? String == "vp-2")
        #expect(added.json?["publicKey"] as? String == secondKey.publicKey.base64 && added.json?["requestedBy"] as? String == "alice")
        let again = try await change(first, ["action": "add", "name": "vp-2b", "publicKey": .string(secondKey.publicKey.base64), "requestedBy": "alice"])
        #expect(again.status == 409 && again.json?["type"] as? String == "https://neuroswarm.dev/problems/validator-already-active")

        let byNewKey = try await second.produce(LedgerDriver.txs(2, from: 10))
        #expect(byNewKey.status == 201 && byNewKey.json?["height"] as? Int == 2, "\(byNewKey.body)")

        let removed = try await change(first, ["action": "remove", "id": .string(firstID), "requestedBy": "bob"])
        #expect(removed.status == 201 && removed.json?["effectiveHeight"] as? Int == 3 && removed.json?["id"] as? String == firstID, "\(removed.body)")
        let refused = try await first.produce(LedgerDriver.txs(2, from: 20))
        #expect(refused.status == 422 && refused.json?["check"] as? String == "producer", "\(refused.body)")
        #expect((refused.json?["detail"] as? String)?.contains("removed from the validator set at height 3") == true, "\(refused.body)")
        #expect(try await second.produce(LedgerDriver.txs(2, from: 20)).status == 201)
        let last = try await change(first, ["action": "remove", "id": .string(secondKey.publicKey.validatorID), "requestedBy": "bob"])
        #expect(last.status == 409 && last.json?["type"] as? String == "https://neuroswarm.dev/problems/last-validator", "\(last.body)")

        let after = try await validators(first)
        let firstEntry = try require(after.list.first { $0["id"] as? String == firstID })
        let secondEntry = try require(after.list.first { $0["id"] as? String == secondKey.publicKey.validatorID })
        #expect(firstEntry["removedHeight"] as? Int == 3 && firstEntry["active"] as? Bool == false)
        #expect(secondEntry["addedHeight"] as? Int == 2 && secondEntry["active"] as? Bool == true && secondEntry["removedHeight"] is NSNull)
        #expect(after.changes.compactMap { $0["action"] as? String } == ["remove", "add"], "newest first")

        let database = nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db"
        let offline = try await NSCtlRunner.run(["chain", "verify", "--db", database, "--json"])
        #expect(offline.status == 0 && offline.stdout.contains(#""height":3"#), "\(offline.stdout) \(offline.stderr)")
        let online = try await NSCtlRunner.run(["chain", "verify", "--ns-url", first.url("")])
        #expect(online.status == 0 && online.stdout.contains("chain verified to height 3"), "\(online.stdout) \(online.stderr)")
        #expect(await nsd.stop() == 0)

        // The change was committed before it was answered: after a restart the removed key stays out.
        let restarted = try await NSDInstance(roles: ["ns"], dataDirectory: nsd.dataDirectory)
        let revived = try LedgerDriver(restarted)
        #expect(try await revived.produce(LedgerDriver.txs(2, from: 30)).json?["check"] as? String == "producer")
        #expect(try await revived.signing(with: secondKey).produce(LedgerDriver.txs(2, from: 30)).status == 201)
        #expect(await restarted.stop() == 0)
    }
}
