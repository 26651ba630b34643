import Foundation
import NSCore
import NSTestSupport
import Testing

/// What anyone who reaches ns-node's public read API (port 3009) learns of a submission: by
/// default neither the user's text nor their JWT `sub` (docs/ledger.md, "What the log publishes").
@Suite("what the public ledger learns of a submission")
struct LedgerPrivacyTests {
    /// One artifact submitted through the gateway and followed until committed, with every public
    /// ns-node answer that holds its transaction.
    struct Published {
        let nsd: NSDInstance
        let content: String
        /// The unique part of ``content``.
        let marker: String
        let subject: String
        let id: String
        /// The transaction as `GET /v1/tx/{hash}` shows it.
        let tx: [String: Any]
        /// Route → body, for every public read route that returned the transaction (or, for
        /// `/v1/artifacts`, where it is).
        let answers: [String: String]
    }

    /// Submits a text holding a unique marker as a unique user, reads `/v1/mempool` while the
    /// transaction waits there (the block interval is long enough to see it), then every other
    /// read route once it is committed.
    static func publish(_ environment: [String: String], name: String) async throws -> Published {
        let marker = "privacy-marker-\(UUID().uuidString)"
        let subject = "subject-\(UUID().uuidString)"
        let content = "Dear diary, \(marker): my secret plans."
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "BLOCK_INTERVAL_MS": "4000"].merging(environment) { $1 },
                                        dataDirectory: try Tools.temporaryDirectory(name))
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: subject)
        let accepted = try await Fetched.submit(gateway, token: token, content: content)
        #expect(accepted.status == 202)
        let id = try #require(accepted.json?["id"] as? String)

        var answers: [String: String] = [:]
        var txHash: String?
        for _ in 0..<400 where txHash == nil {
            let mempool = try await Fetched.get(nsd.url("ns-node", "/v1/mempool"))
            if mempool.body.contains(id) { answers["/v1/mempool"] = mempool.body }
            let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token).json
            if (status?["ledger"] as? [String: Any])?["status"] as? String == "committed" { txHash = status?["txHash"] as? String }
            try await Task.sleep(for: .milliseconds(50))
        }
        let hash = try #require(txHash, "the job never committed")
        #expect(answers["/v1/mempool"] != nil, "the transaction was never seen in the mempool")
        let tx = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(hash)")).json)
        let height = try #require(tx["blockHeight"] as? Int)
        let artifact = MerkleHash.sha256(Array(content.utf8)).hex
        for route in ["/v1/tx/\(hash)", "/v1/blocks/\(height)?txs=full", "/v1/blocks/latest?txs=full", "/v1/jobs/\(id)/tx", "/v1/artifacts/\(artifact)"] {
            let answer = try await Fetched.get(nsd.url("ns-node", route))
            #expect(answer.status == 200, "\(route): \(answer.body)")
            answers[route] = answer.body
        }
        #expect(answers["/v1/blocks/latest?txs=full"]?.contains(hash) == true, "another block came after the artifact's")
        // The entry bundle holding it: tiles publish every entry (c2sp.org/tlog-tiles).
        let leaf = try #require(tx["leafIndex"] as? Int)
        let checkpoint = try await Fetched.get(nsd.url("ns-node", "/tlog/checkpoint")).body.split(separator: "\n")
        let size = try #require(checkpoint.count > 1 ? Int(checkpoint[1]) : nil)
        let bundle = "/tlog/" + (try #require(LogTile(level: 0, index: UInt64(leaf / 256), logSize: UInt64(size)))).entriesPath
        let entries = try await Fetched.get(nsd.url("ns-node", bundle))
        #expect(entries.status == 200 && entries.body.contains(artifact), "\(bundle) holds the transaction: \(entries.status)")
        answers[bundle] = entries.body
        return Published(nsd: nsd, content: content, marker: marker, subject: subject, id: id, tx: try #require(tx["tx"] as? [String: Any]), answers: answers)
    }

    /// The ledger's files as bytes, WAL included, to search for text.
    static func ledgerFiles(_ nsd: NSDInstance) -> String {
        let base = nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db"
        return [base, base + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined()
    }

    @Test("default settings: no public read route (nor the ledger file) holds the text or the plain sub; the preview's SHA-256 and the sub's HMAC stand in; the owner still sees the status and nsctl verify still proves the file")
    func defaultPublishesNoUserText() async throws {
        let published = try await Self.publish([:], name: "privacy-default")
        let marker = published.marker
        for (route, body) in published.answers {
            #expect(!body.contains(marker), "\(route) publishes the user's text: \(body)")
            #expect(!body.contains(published.subject), "\(route) publishes the plain submitter: \(body)")
        }
        let files = Self.ledgerFiles(published.nsd)
        #expect(!files.isEmpty)
        #expect(!files.contains(marker) && !files.contains(published.subject), "the ledger file holds the text or the sub")

        #expect(published.tx["preview"] == nil)
        #expect(published.tx["previewSha256"] as? String == MerkleHash.sha256(Array(published.content.utf8)).hex)
        // The keyed hash of the development key the data folder holds: stable, and only its holder can link it.
        let keyFile = published.nsd.dataDirectory + "/ledger-submitter-key"
        let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(published.tx["submitter"] as? String == SubmitterPseudonym(key: Secret(key)).pseudonym(of: published.subject))
        #expect(!published.nsd.child.stdout.contains(key) && !published.nsd.child.stderr.contains(key), "the key was logged")

        // The gateway still tells the owner from anyone else.
        let gateway = published.nsd.url("gateway-node", "/api/status/\(published.id)")
        #expect(try await Fetched.get(gateway, token: ClientToken.make(sub: published.subject)).status == 200)
        #expect(try await Fetched.get(gateway, token: ClientToken.make(sub: "someone-else")).status == 403)

        // The verifier needs only the file in hand.
        let folder = try Tools.temporaryDirectory("privacy-verify")
        try Data(published.content.utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))
        let verified = try await NSCtlRunner.run(["verify", "file.txt", "--data-dir", published.nsd.dataDirectory],
                                                 environment: ["NS_NODE_URL": published.nsd.url("ns-node", "")], directory: folder)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("verified file.txt: sha256 "), "\(verified.stdout)\(verified.stderr)")
        #expect(await published.nsd.stop() == 0)
    }

    @Test("LEDGER_PREVIEW=text and LEDGER_SUBMITTER=plain: every public read route holding the transaction publishes the text and the sub")
    func optInPublishesText() async throws {
        let published = try await Self.publish(["LEDGER_PREVIEW": "text", "LEDGER_SUBMITTER": "plain"], name: "privacy-text")
        // /v1/artifacts lists only where the transactions are, not their bodies.
        for (route, body) in published.answers where !route.hasPrefix("/v1/artifacts/") {
            #expect(body.contains(published.marker) && body.contains(published.subject), "\(route): \(body)")
        }
        #expect(published.tx["preview"] as? String == published.content && published.tx["previewSha256"] == nil)
        #expect(published.tx["submitter"] as? String == published.subject)
        #expect(!FileManager.default.fileExists(atPath: published.nsd.dataDirectory + "/ledger-submitter-key"), "plain needs no key")
        #expect(await published.nsd.stop() == 0)
    }
}
