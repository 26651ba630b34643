import Foundation
import GRDB
import Logging
import NSCore
@testable import NSNodes
import NSTestSupport
import Testing

/// The witness's decisions against a real SQLite file: what it cosigns, what it refuses with
/// which status, that its state survives reopening, and that concurrent requests cannot both
/// advance a log from one size.
@Suite("Witness: cosigning and refusing checkpoints")
struct WitnessTests {
    static let name = "witness.example/w1"
    let log = WitnessedLog()
    let cosigner = CosignerKey(name: WitnessTests.name, key: LedgerKey(generatingNamed: "w"))
    let path: String
    let database: NodeDatabase

    init() throws {
        path = try Tools.temporaryDirectory("witness") + "/witness.db"
        database = try Self.open(path)
    }

    static func open(_ path: String) throws -> NodeDatabase {
        var migrator = DatabaseMigrator.node("witness-node")
        WitnessSchema.register(in: &migrator)
        return try NodeDatabase(path: path, variable: "--data-dir", migrator: migrator)
    }

    func witness(_ database: NodeDatabase? = nil, logs: [WitnessSettings.Log]? = nil) -> Witness {
        Witness(key: cosigner, logs: logs ?? [.init(origin: log.key.name, publicKey: log.key.publicKey)],
                store: WitnessStore(pool: (database ?? self.database).pool), logger: Logger(label: "witness-test"), now: { 1_765_000_000 })
    }

    func refusal(_ witness: Witness, _ body: [UInt8]) async -> WitnessRefusal? {
        do throws(WitnessRefusal) {
            _ = try await witness.addCheckpoint(body)
            return nil
        } catch {
            return error
        }
    }

    @Test("a first checkpoint with old 0 and then a consistent growth are cosigned, and each cosignature verifies")
    func cosignsGrowth() async throws {
        let witness = witness()
        let first = try await witness.addCheckpoint(try log.request(from: 0, to: 5))
        #expect(try cosigner.verifier.verifiedTimestamp(in: log.note(5) + first) == 1_765_000_000)
        #expect(try await witness.store.recorded(origin: log.key.name) == WitnessedTree(size: 5, root: log.root(5)))
        let grown = try await witness.addCheckpoint(try log.request(from: 5, to: 37))
        #expect(try cosigner.verifier.verifiedTimestamp(in: log.note(37) + grown) == 1_765_000_000)
        // A cosignature belongs to its checkpoint only.
        #expect(throws: CosignatureError.self) { try cosigner.verifier.verifiedTimestamp(in: log.note(5) + grown) }
        // The same checkpoint again is cosigned again, leaving the state as it was.
        _ = try await witness.addCheckpoint(try log.request(from: 37, to: 37))
        #expect(try await witness.store.recorded(origin: log.key.name).size == 37)
    }

    @Test("a stale old size or a rollback is refused with the recorded size, and the state stays")
    func rollbackRefused() async throws {
        let witness = witness()
        _ = try await witness.addCheckpoint(try log.request(from: 0, to: 20))
        #expect(await refusal(witness, try log.request(from: 0, to: 30)) == .conflict(recordedSize: 20))
        #expect(await refusal(witness, try log.request(from: 5, to: 10)) == .conflict(recordedSize: 20))
        // The right old size but a smaller tree: old exceeds the checkpoint's size, a 400.
        let smaller = AddCheckpointRequest(oldSize: 20, proof: [], note: log.note(10)).encoded
        #expect(await refusal(witness, smaller)?.httpProblem.status == 400)
        #expect(try await witness.store.recorded(origin: log.key.name) == WitnessedTree(size: 20, root: log.root(20)))
    }

    @Test("a fork is refused: a bad proof is 422, a second root for the recorded size 409, and the state stays")
    func forkRefused() async throws {
        let witness = witness()
        _ = try await witness.addCheckpoint(try log.request(from: 0, to: 20))
        let fork = WitnessedLog(key: log.key, seed: "b")
        // The fork's own proof from 20 to 40 leads from the fork's root at 20, not the recorded one.
        #expect(await refusal(witness, try fork.request(from: 20, to: 40)) == .inconsistent(origin: log.key.name, oldSize: 20, size: 40))
        // The honest proof does not lead to the fork's root either.
        let mixed = AddCheckpointRequest(oldSize: 20, proof: try log.proof(from: 20, to: 40), note: fork.note(40)).encoded
        #expect(await refusal(witness, mixed)?.httpProblem.status == 422)
        #expect(await refusal(witness, try fork.request(from: 20, to: 20)) == .conflict(recordedSize: 20))
        #expect(try await witness.store.recorded(origin: log.key.name) == WitnessedTree(size: 20, root: log.root(20)))
        _ = try await witness.addCheckpoint(try log.request(from: 20, to: 40))
    }

    @Test("an unknown origin is 404, another key's signature 403, a malformed body 400")
    func refusals() async throws {
        let witness = witness()
        let stranger = WitnessedLog(origin: "example.com/other")
        #expect(await refusal(witness, try stranger.request(from: 0, to: 3)) == .unknownLog(origin: "example.com/other"))
        let impostor = WitnessedLog(origin: log.key.name)
        let forged = await refusal(witness, try impostor.request(from: 0, to: 3))
        #expect(forged?.httpProblem.status == 403, "\(String(describing: forged))")
        #expect(await refusal(witness, Array("old 0\n\nexample.com/log\n3\n".utf8))?.httpProblem.status == 400)
        #expect(await refusal(witness, Array("old x\n\n".utf8))?.httpProblem.status == 400)
        // None of them recorded anything.
        #expect(try await witness.store.recorded(origin: log.key.name) == .empty)
        #expect(try await witness.store.recorded(origin: "example.com/other") == .empty)
    }

    @Test("the state survives closing and reopening the database: a rollback is still refused")
    func stateSurvivesReopen() async throws {
        _ = try await witness().addCheckpoint(try log.request(from: 0, to: 33))
        try database.close()
        let reopened = try Self.open(path)
        let witness = witness(reopened)
        #expect(await refusal(witness, try log.request(from: 0, to: 40)) == .conflict(recordedSize: 33))
        _ = try await witness.addCheckpoint(try log.request(from: 33, to: 40))
        try reopened.close()
    }

    @Test("concurrent requests from one old size: exactly one is cosigned, the others get its size")
    func concurrentRequests() async throws {
        let witness = witness()
        _ = try await witness.addCheckpoint(try log.request(from: 0, to: 10))
        let bodies = try (11...42).map { try log.request(from: 10, to: UInt64($0)) }
        let outcomes = await withTaskGroup(of: Result<String, WitnessRefusal>.self) { group in
            for body in bodies {
                group.addTask {
                    do throws(WitnessRefusal) { return .success(try await witness.addCheckpoint(body)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }  // the refusals are counted below
        #expect(winners.count == 1)
        let recorded = try await witness.store.recorded(origin: log.key.name)
        #expect(recorded.size > 10 && recorded.root == log.root(recorded.size))
        #expect(try cosigner.verifier.verifiedTimestamp(in: log.note(recorded.size) + winners[0]) == 1_765_000_000)
        let refusals = outcomes.compactMap { outcome -> WitnessRefusal? in if case .failure(let error) = outcome { error } else { nil } }
        #expect(refusals.count == bodies.count - 1)
        #expect(refusals.allSatisfy { $0 == .conflict(recordedSize: recorded.size) })
    }
}
