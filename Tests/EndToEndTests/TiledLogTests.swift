import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

/// ns-node's log as C2SP tiles (`/tlog/`), checked by a verifier that shares no code with it
/// (Scripts/verify_tiles.py, Python's standard library and `cryptography`): every tile and entry
/// bundle of a log of a few thousand entries authenticates against the signed checkpoint, and the
/// proofs the tiles give are the JSON API's. On both ledger engines.
@Suite("the tiled log (/tlog/) against an independent verifier", .serialized)
struct TiledLogTests {
    /// Uneven blocks, so checkpoints and block boundaries fall inside tiles: 3,000 entries are 11
    /// full level-0 tiles, a partial one of 184 and a partial level-1 tile of 11.
    static let blockSizes = [1, 2, 300, 1_000, 700, 997]
    static let entries = blockSizes.reduce(0, +)

    @Test("SQLite: every tile verifies, the proofs the tiles give equal the JSON API's, and an altered entry is caught",
          .timeLimit(.minutes(5)))
    func sqlite() async throws {
        let nsd = try await NSDInstance(roles: ["ns"])
        let driver = try LedgerDriver(nsd)
        try await Self.fill(driver)
        let checkpoint = try await Self.verifyAndCheckServing(driver)

        // An entry changed in the database behind ns-node's back no longer hashes to its leaf.
        let database = try DatabaseQueue(path: nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db")
        try await database.write { db in
            try db.execute(sql: "UPDATE txs SET body = CAST(replace(CAST(body AS TEXT), 'artifact body number 7', 'artifact body number 8') AS BLOB) WHERE leaf_index = 7")
            #expect(db.changesCount == 1)
        }
        try database.close()
        let caught = try Self.runVerifier(driver)
        #expect(caught.status == 1, "\(caught.output)")
        #expect(caught.output.contains("tile/entries/000: entry 7 does not hash to leaf 7 of the level-0 tile"), "\(caught.output)")
        #expect(checkpoint.size == UInt64(Self.entries))
        #expect(await nsd.stop() == 0)
    }

    @Test("PostgreSQL: every tile verifies and the proofs the tiles give equal the JSON API's", .timeLimit(.minutes(5)))
    func postgres() async throws {
        let server = try await PostgresServer.shared()
        let database = "tiles_\(UInt32.random(in: 0...UInt32.max))"
        try server.createDatabase(database)
        let nsd = try await NSDInstance(roles: ["ns"], environment: ["DATABASE_URL": server.url(database: database) + "?sslmode=disable"])
        #expect(!FileManager.default.fileExists(atPath: nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db"), "the ledger is in PostgreSQL")
        let driver = try LedgerDriver(nsd)
        try await Self.fill(driver)
        let checkpoint = try await Self.verifyAndCheckServing(driver)
        #expect(checkpoint.size == UInt64(Self.entries))
        #expect(await nsd.stop() == 0)
    }

    /// Posts ``blockSizes`` pre-signed blocks of fresh transactions.
    static func fill(_ driver: LedgerDriver) async throws {
        var start = 0
        for size in blockSizes {
            let produced = try await driver.produce(LedgerDriver.txs(size, from: start))
            try #require(produced.status == 201, "\(produced.body)")
            start += size
        }
    }

    static func runVerifier(_ driver: LedgerDriver) throws -> (status: Int32?, output: String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/verify_tiles.py").path
        let run = try Tools.run(try Tools.which("python3"), [script, driver.url(""), LedgerSettingsOrigin.value, try driver.checkpointKey.base64])
        return (run.status, run.output)
    }

    /// Runs the verifier, then checks what the routes answer beside the bytes: content types, cache
    /// headers, and problem documents for bad paths and tiles beyond the tree.
    static func verifyAndCheckServing(_ driver: LedgerDriver) async throws -> Checkpoint {
        let note = try await Fetched.get(driver.url("/tlog/checkpoint"))
        #expect(note.status == 200 && note.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(note.headers["cache-control"] == "public, max-age=5")
        #expect(note.body == (try await Fetched.get(driver.url("/v1/checkpoint"))).body)
        let checkpoint = try Checkpoint.verify(note: note.body, name: LedgerSettingsOrigin.value, publicKey: try driver.checkpointKey)

        let verified = try runVerifier(driver)
        #expect(verified.status == 0, "\(verified.output)")
        // 11 full level-0 tiles; partial level-0 (184) and level-1 (11) tiles; 12 bundles; 41 leaves
        // sampled, each in up to three trees; 10 older sizes, each into up to three newer ones.
        #expect(verified.output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "verified \(LedgerSettingsOrigin.value) size 3000 root \(checkpoint.root.hex): "
                + "11 full and 2 partial tiles, 12 entry bundles (12 gzip-encoded), 121 inclusion and 27 consistency proofs equal", "\(verified.output)")

        // Entry bundles are gzip-encoded only for a client that accepts it; hash tiles never are.
        // curl, because it sends no Accept-Encoding of its own (AsyncHTTPClient's shared client does).
        let curl = try Tools.which("curl")
        for (path, encoding, accept) in [("tile/entries/000", nil, nil), ("tile/entries/000", "gzip", "gzip, identity"),
                                         ("tile/entries/011.p/184", "gzip", "br, GZIP;q=0.5"), ("tile/entries/000", nil, "*, gzip;q=0"),
                                         ("tile/entries/000", nil, "identity"), ("tile/0/000", nil, "gzip")] {
            let fetched = try Tools.run(curl, ["--silent", "--show-error", "--dump-header", "-", "--output", "/dev/null"]
                                        + (accept.map { ["--header", "Accept-Encoding: \($0)"] } ?? []) + [driver.url("/tlog/" + path)])
            let headers = Dictionary(fetched.output.split(separator: "\r\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }) { $1 }
            #expect(fetched.status == 0 && fetched.output.hasPrefix("HTTP/1.1 200"), "\(path): \(fetched.output)")
            #expect(headers["content-encoding"] == encoding, "\(path) with \(accept ?? "no Accept-Encoding"): \(headers)")
            #expect(headers["vary"] == (path.contains("entries") ? "Accept-Encoding" : nil), "\(path)")
        }

        for (path, caching) in [("tile/0/000", "public, max-age=31536000, immutable"), ("tile/entries/010", "public, max-age=31536000, immutable"),
                                ("tile/0/011.p/184", "public, max-age=60"), ("tile/0/011.p/3", "public, max-age=60"),
                                ("tile/entries/011.p/184", "public, max-age=60"), ("tile/1/000.p/11", "public, max-age=60")] {
            let tile = try await Fetched.get(driver.url("/tlog/" + path))
            #expect(tile.status == 200, "\(path): \(tile.body)")
            #expect(tile.headers["content-type"] == "application/octet-stream", "\(path)")
            #expect(tile.headers["cache-control"] == caching, "\(path)")
        }
        for (path, status) in [("tile/0/011", 404), ("tile/0/011.p/185", 404), ("tile/1/000", 404), ("tile/2/000.p/1", 404),
                               ("tile/entries/012.p/1", 404), ("tile/0/x001/000", 404),
                               ("tile/0/11", 400), ("tile/0/x000/011", 400), ("tile/64/000", 400), ("tile/00/000", 400),
                               ("tile/0/011.p/256", 400), ("tile/0/011.p/0", 400), ("tile/0/011.p/08", 400), ("tile/0/001/002", 400),
                               ("tile/entries", 400), ("tile/entries/abc", 400), ("tile/0/x999/x999/x999/x999/x999/x999/999", 400)] {
            let answer = try await Fetched.get(driver.url("/tlog/" + path))
            #expect(answer.status == status, "\(path): \(answer.body)")
            #expect(answer.headers["content-type"] == "application/problem+json", "\(path)")
        }
        try await answersUnderLoad(driver)
        return checkpoint
    }

    /// 64 connections at once on entry bundles that exist and that do not (wrk, 2 s), then the
    /// checkpoint: every request is answered and ns-node still answers at once. Tile reads that
    /// waited for a database reader on the cooperative pool deadlocked here with requests blocked
    /// in synchronous reads on its two threads.
    static func answersUnderLoad(_ driver: LedgerDriver) async throws {
        let wrk = try Tools.which("wrk")
        for path in ["tile/entries/005", "tile/entries/012.p/1"] {
            let load = try Tools.run(wrk, ["-t2", "-c64", "-d2s", "--timeout", "2s", driver.url("/tlog/" + path)])
            let requests = load.output.split(separator: "\n").first { $0.contains(" requests in ") }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) } ?? 0
            #expect(load.status == 0 && requests >= 100 && !load.output.contains("Socket errors"), "\(path): \(load.output)")
        }
        let started = ContinuousClock.now
        let note = try await Fetched.get(driver.url("/tlog/checkpoint"))
        #expect(note.status == 200 && ContinuousClock.now - started < .seconds(2), "the checkpoint after the load")
    }
}
