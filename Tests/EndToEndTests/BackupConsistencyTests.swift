import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

/// Volumes backed up in one run restore to one consistent state: every job the restored queue
/// calls completed has its transaction in the restored ledger (mempool or block), and no job's
/// artifact is anchored twice, even when the job completed between the two snapshots.
@Suite("backups of several volumes restore to one consistent state")
struct BackupConsistencyTests {
    static func nsctl(_ arguments: [String]) async throws -> NSCtlRunner.Outcome {
        try await NSCtlRunner.run(arguments)
    }

    /// Backs up `volume` of `data` into `out` and answers the archive's path.
    static func backup(_ volume: String, of data: String, into out: String) async throws -> String {
        let run = try await nsctl(["backup", volume, "--data-dir", data, "--out", out, "--json"])
        try #require(run.status == 0, "\(run.stderr)")
        let written = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        return try #require(written.first?["path"] as? String)
    }

    static func restore(_ archive: String, volume: String, into data: String) async throws {
        let run = try await nsctl(["restore", archive, "--volume", volume, "--data-dir", data, "--yes"])
        try #require(run.status == 0, "\(run.stderr)")
    }

    /// The hashes of the transactions recording each job id, across every block and the mempool.
    static func anchors(_ nsd: NSDInstance) async throws -> [String: [String]] {
        var anchors: [String: [String]] = [:]
        func record(_ entries: [[String: Any]]?) {
            for entry in entries ?? [] {
                guard let hash = entry["txHash"] as? String, let job = (entry["tx"] as? [String: Any])?["jobId"] as? String else { continue }
                // Seen twice only when a block took it from the mempool between the two reads.
                if !(anchors[job]?.contains(hash) ?? false) { anchors[job, default: []].append(hash) }
            }
        }
        // The mempool first: a transaction a block commits meanwhile is then found in that block,
        // whereas blocks first could miss one committed after the tip was read.
        record(try await Fetched.get(nsd.url("ns-node", "/v1/mempool?limit=10000")).json?["txs"] as? [[String: Any]])
        let tip = try #require(try await Fetched.get(nsd.url("ns-node", "/v1/blocks/latest")).json?["height"] as? Int)
        for height in stride(from: 1, through: tip, by: 1) {
            record(try await Fetched.get(nsd.url("ns-node", "/v1/blocks/\(height)?txs=full")).json?["txs"] as? [[String: Any]])
        }
        return anchors
    }

    /// Whether the ledger file at `path` holds `txHash`, committed or in its mempool.
    static func ledger(_ path: String, holds txHash: String) throws -> Bool {
        var configuration = Configuration()
        configuration.readonly = true
        let chain = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? chain.close() }  // read-only; closing cannot lose anything
        let hash = Data(try #require(Hex.decode(txHash)))
        return try chain.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM txs WHERE hash = ?) + (SELECT COUNT(*) FROM mempool WHERE hash = ?)",
                             arguments: [hash, hash]) ?? 0
        } == 1
    }

    static func txHash(of job: Job) -> String? {
        job.result.flatMap(ArtifactJob.Outcome.init(result:))?.txHash
    }

    @Test("one run snapshots the queue, then the ledger, then admin-node-data, whatever order they are named in; restored together while jobs completed throughout, every completed job has its transaction and each job is anchored once")
    func oneRunRestoresConsistently() async throws {
        let data = try Tools.temporaryDirectory("backup-run")
        // A short job timeout, so jobs restored mid-attempt are recovered within seconds.
        let environment = ["JWT_SECRET": ClientToken.secret, "RATE_LIMIT_MAX_REQUESTS": "10000000", "JOB_TIMEOUT_MS": "3000"]
        let nsd = try await NSDInstance(environment: environment, dataDirectory: data)
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "alice")
        // Jobs are submitted, and complete, for as long as the backup runs.
        let submitter = Task { () -> Int in
            var count = 0
            while !Task.isCancelled {
                guard let answer = try? await Fetched.submit(gateway, token: token, content: "artifact \(count)"), answer.status == 202 else { break }
                count += 1
                try? await Task.sleep(for: .milliseconds(5))  // cancelled: the loop ends
            }
            return count
        }
        let queue = try sharedQueue(data + "/vp-node-data/queue.db")
        #expect(try await NSCtlJobsTests.waitFor { try await queue.counts().total(.completed) >= 5 })
        let out = try Tools.temporaryDirectory("backup-run-out")
        let run = try await Self.nsctl(["backup", "ns-node-data", "vp-node-data", "admin-node-data", "--data-dir", data, "--out", out, "--json"])
        submitter.cancel()
        let submitted = await submitter.value
        #expect(run.status == 0, "\(run.stderr)")
        #expect(await nsd.stop() == 0)

        let written = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(written.compactMap { $0["volume"] as? String } == ["vp-node-data", "ns-node-data", "admin-node-data"])
        // Each manifest records when its volume's backup began, to the millisecond.
        let listed = try await Self.nsctl(["backup", "list", "--out", out, "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let began = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["volume"] as? String).map { ($0, row["createdAt"] as? String ?? "") } })
        #expect(began["vp-node-data"] ?? "" < began["ns-node-data"] ?? "" && began["ns-node-data"] ?? "" < began["admin-node-data"] ?? "", "\(began)")

        let restored = try Tools.temporaryDirectory("backup-run-restored")
        for entry in written {
            try await Self.restore(try #require(entry["path"] as? String), volume: try #require(entry["volume"] as? String), into: restored)
        }
        // The rule, on the restored files before anything runs.
        let restoredQueue = try sharedQueue(restored + "/vp-node-data/queue.db")
        let completed = try await restoredQueue.jobs(in: .completed, limit: 1_000, after: nil)
        #expect(completed.count >= 5, "\(submitted) submitted")
        for job in completed {
            let hash = try #require(Self.txHash(of: job))
            #expect(try Self.ledger(restored + "/ns-node-data/neuroswarm_chain.db", holds: hash), "job \(job.id) is completed with \(hash), which the ledger lacks")
        }

        // Restored, everything left in the queue is worked, and every job ends anchored once.
        let again = try await NSDInstance(environment: environment, dataDirectory: restored)
        #expect(try await NSCtlJobsTests.waitFor {
            let counts = try await restoredQueue.counts()
            return [JobState.queued, .processing, .retry].allSatisfy { counts.total($0) == 0 }
        })
        #expect(try await restoredQueue.counts().total(.deadLetter) == 0)
        let anchors = try await Self.anchors(again)
        #expect(anchors.values.allSatisfy { $0.count == 1 }, "\(anchors.filter { $0.value.count > 1 })")
        for job in try await restoredQueue.jobs(in: .completed, limit: 1_000, after: nil) {
            #expect(anchors[job.id] == [Self.txHash(of: job) ?? "none"], "job \(job.id)")
        }
        #expect(await again.stop() == 0)
    }

    /// A data directory restored as after a job completed between two snapshots: the queue
    /// backed up while the job was still queued, the ledger once its transaction was committed.
    struct RestoredJob {
        let data: String
        let id: String
        /// The transaction the job was anchored with before the restore.
        let txHash: String
        /// The restored queue, which holds the job queued again.
        let queue: SQLiteJobQueue
        let token: String
    }

    /// Runs nsd on a fresh data directory, `submit`s one job (given the gateway's URL and a
    /// token, answering its id) while the queue is paused, backs up `vp-node-data`, lets the job
    /// complete and commit, backs up `ns-node-data`, stops nsd and restores both volumes: the
    /// restored queue holds the job queued (and unpaused), the restored ledger its transaction.
    static func jobCompletedAfterQueueSnapshot(_ label: String,
                                               submit: (_ gateway: String, _ token: String) async throws -> String) async throws -> RestoredJob {
        let data = try Tools.temporaryDirectory(label)
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret], dataDirectory: data)
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "alice")
        let queue = try sharedQueue(data + "/vp-node-data/queue.db")
        // Paused, the job is still queued when the queue is snapshotted.
        try await queue.setPaused(true)
        let id = try await submit(gateway, token)
        let out = try Tools.temporaryDirectory(label + "-out")
        let queueArchive = try await Self.backup("vp-node-data", of: data, into: out)

        try await queue.setPaused(false)
        var anchored: String?
        #expect(try await NSCtlJobsTests.waitFor {
            let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token).json
            anchored = status?["txHash"] as? String
            return (status?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        })
        let original = try #require(anchored)
        let ledgerArchive = try await Self.backup("ns-node-data", of: data, into: out)
        #expect(await nsd.stop() == 0)

        try await Self.restore(queueArchive, volume: "vp-node-data", into: data)
        try await Self.restore(ledgerArchive, volume: "ns-node-data", into: data)
        let restoredQueue = try sharedQueue(data + "/vp-node-data/queue.db")
        #expect(try await restoredQueue.job(id: id)?.state == .queued)
        #expect(try Self.ledger(data + "/ns-node-data/neuroswarm_chain.db", holds: original))
        try await restoredQueue.setPaused(false)
        return RestoredJob(data: data, id: id, txHash: original, queue: restoredQueue, token: token)
    }

    /// The line a worker logs when a job it worked again turns out to be in the ledger already.
    static func recordedLine(_ nsd: NSDInstance, message: String) -> [String: Any]? {
        nsd.child.stdoutLines.compactMap(LogLine.parse).first { $0["message"] as? String == message }
    }

    @Test("a job completed after the queue's snapshot is worked again after restore, builds another transaction, and completes with the one the ledger holds: anchored once")
    func jobCompletedBetweenSnapshots() async throws {
        let content = "an artifact whose preview the restored vp-node will cut shorter"
        let restored = try await Self.jobCompletedAfterQueueSnapshot("backup-between") { gateway, token in
            try #require(try await Fetched.submit(gateway, token: token, content: content).json?["id"] as? String)
        }
        let (id, original) = (restored.id, restored.txHash)

        // Another preview length makes the worked-again job build a different transaction, as a
        // code job's sandbox outcome (its duration) does in production.
        let again = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "SANITIZER_MAX_CHARS": "12"], dataDirectory: restored.data)
        var final: [String: Any]?
        #expect(try await NSCtlJobsTests.waitFor {
            final = try await Fetched.get(again.url("gateway-node", "/api/status/\(id)"), token: restored.token).json
            return final?["state"] as? String == "completed"
        })
        #expect(final?["txHash"] as? String == original, "\(final ?? [:])")
        #expect((final?["ledger"] as? [String: Any])?["status"] as? String == "committed")
        #expect(try await Self.anchors(again)[id] == [original])
        let line = Self.recordedLine(again, message: "job already recorded in the ledger: completing it with the transaction held there")
        #expect(line?["jobId"] as? String == id && line?["txHash"] as? String == original, "\(line ?? [:])")
        #expect(line?["droppedTxHash"] as? String != original, "the worked-again job built the same transaction")
        #expect(await again.stop() == 0)
    }

    /// The reviewer's case: the queue and the ledger disagreed when a recorded job's re-run failed.
    @Test("a job the ledger records whose re-run after a restore fails (its runtime can no longer start) completes with the transaction held, neither retried nor dead-lettered")
    func failedRerunOfRecordedJob() async throws {
        let restored = try await Self.jobCompletedAfterQueueSnapshot("backup-failed-rerun") { gateway, token in
            let body = CanonicalJSON.encode(["content": "echo recorded\n", "metadata": ["kind": "code", "language": "sh"]])
            return try #require(try await Fetched.post(gateway + "/api/submit", body: Array(body), token: token).json?["id"] as? String)
        }
        // `sh` now names a copy of the shell in a folder the sandbox's user cannot enter: every run
        // of the job fails to launch, a retryable failure (dead-lettered after JOB_MAX_RETRIES).
        let locked = try Tools.closedDirectory("backup-failed-rerun-runtime") + "/sh"
        try Tools.copyShell(to: locked)
        let again = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "JOB_MAX_RETRIES": "2",
                                                        "SANDBOX_RUNTIMES": "python=/usr/bin/python3 -I -S,sh=\(locked)"],
                                          dataDirectory: restored.data)
        var final: Job?
        #expect(try await NSCtlJobsTests.waitFor {
            final = try await restored.queue.job(id: restored.id)
            return final?.state == .completed || final?.state == .deadLetter
        })
        #expect(final?.state == .completed, "\(final.map { "\($0.state): \($0.errors.map(\.message))" } ?? "gone")")
        #expect(final.flatMap(Self.txHash(of:)) == restored.txHash)
        let status = try await Fetched.get(again.url("gateway-node", "/api/status/\(restored.id)"), token: restored.token).json
        #expect(status?["state"] as? String == "completed" && status?["txHash"] as? String == restored.txHash, "\(status ?? [:])")
        #expect(try await Self.anchors(again)[restored.id] == [restored.txHash])
        let line = Self.recordedLine(again, message: "job already recorded in the ledger: completing it with the transaction held there instead of recording its failed attempt")
        #expect(line?["jobId"] as? String == restored.id && line?["txHash"] as? String == restored.txHash, "\(line ?? [:])")
        #expect((line?["failure"] as? String)?.contains("sandbox") == true, "the re-run did not fail in the sandbox: \(line ?? [:])")
        #expect(await again.stop() == 0)
    }
}
