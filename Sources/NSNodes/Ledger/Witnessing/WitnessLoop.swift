import Foundation
import Logging
import Metrics
import NSCore
import NSLedger

/// One witness's side of ``CheckpointWitnessing``: on each wake-up, the newest checkpoint goes to
/// the witness unless it already cosigned it, with the consistency proof from the size the
/// witness last cosigned (0 at first; a 409 names the witness's size, and the request is sent
/// once more from there). A witness that fails is left alone for a backoff doubling from 1
/// second to ``maxBackoff``; the next checkpoint after it then goes out as usual.
///
/// Metrics: `ns_witness_requests_total{witness,outcome}` and `ns_witness_cosigned_size{witness}`.
/// A failure is logged when its kind changes and then every ``logInterval`` while it lasts: a
/// 422 (or a 409 for the very size sent: another root at that size) at error, since the witness
/// holds a tree this log does not extend (a fork alarm); everything else at warning.
struct WitnessLoop: Sendable {
    static let maxBackoff = Duration.seconds(30)
    static let logInterval = Duration.seconds(600)

    /// Where the checkpoints come from, and the key that must sign them.
    struct Log: Sendable {
        let reader: any LedgerReader
        let origin: String
        let key: LedgerPublicKey
    }

    let exchange: WitnessExchange
    let log: Log
    let cosignatures: WitnessCosignatures
    let factory: NodeMetricsFactory
    let logger: Logger

    /// The size the witness last cosigned, as far as this loop knows.
    private var witnessSize: UInt64 = 0
    private var cosignedBody: String?
    private var failures = 0
    private var retryAt: ContinuousClock.Instant?
    private var lastLogged: (kind: String, at: ContinuousClock.Instant)?

    init(exchange: WitnessExchange, log: Log, cosignatures: WitnessCosignatures, factory: NodeMetricsFactory, logger: Logger) {
        self.exchange = exchange
        self.log = log
        self.cosignatures = cosignatures
        self.factory = factory
        self.logger = logger
    }

    private var name: String { exchange.peer.name }

    /// Runs a round per wake-up until the stream ends or the task is cancelled.
    mutating func run(_ wakeUps: AsyncStream<Void>) async {
        for await _ in wakeUps {
            await round()
        }
    }

    mutating func round() async {
        if let retryAt, ContinuousClock.now < retryAt { return }
        let note: String
        let body: String
        let checkpoint: Checkpoint
        do {
            note = try await log.reader.latestCheckpoint()
            guard !note.isEmpty else { return }  // no block yet
            // The checkpoint this witness already cosigned was verified then: no need to verify it again every tick.
            guard let noteBody = Checkpoint.body(ofNote: note), noteBody != cosignedBody else { return }
            body = noteBody
            checkpoint = try Checkpoint.verify(note: note, name: log.origin, publicKey: log.key)
        } catch {
            return failed(kind: "ledger", level: .warning, "the newest checkpoint could not be read or verified; not sent to the witness", "\(error)")
        }
        do {
            var sentSize = min(witnessSize, checkpoint.size)
            var outcome = try await send(note, body: body, checkpoint: checkpoint, from: sentSize)
            if case .conflict(let size) = outcome, size != sentSize, size <= checkpoint.size {
                count(outcome)
                witnessSize = size
                sentSize = size
                outcome = try await send(note, body: body, checkpoint: checkpoint, from: size)
            }
            count(outcome)
            switch outcome {
            case .cosigned(let line):
                await cosignatures.keep(witness: name, body: body, line: line)
                witnessSize = checkpoint.size
                cosignedBody = body
                Gauge(label: "ns_witness_cosigned_size", dimensions: [("witness", name)], factory: factory).record(checkpoint.size)
                succeeded()
            case .conflict(let size):
                witnessSize = size
                if size == sentSize {
                    // Its own kind: an earlier routine 409 must not hold back the alarm for ten minutes.
                    failed(kind: "fork", level: .error, "the witness holds another tree of size \(size) than this log: a fork alarm (keep both checkpoints)", outcome.detail)
                } else {
                    failed(kind: "conflict", level: .warning, "the witness answered 409 to the checkpoint of size \(checkpoint.size); it last cosigned size \(size)", outcome.detail)
                }
            case .inconsistent:
                failed(kind: "inconsistent", level: .error, "the witness says this log's checkpoint does not extend the tree it cosigned: a fork alarm (keep both checkpoints)", outcome.detail)
            case .refused, .unreachable, .badCosignature:
                failed(kind: outcome.label, level: .warning, "the witness did not cosign the checkpoint; it is served without this witness's cosignature", outcome.detail)
            }
        } catch {
            failed(kind: "ledger", level: .warning, "the consistency proof for the witness could not be read", "\(error)")
        }
    }

    private func send(_ note: String, body: String, checkpoint: Checkpoint, from oldSize: UInt64) async throws -> WitnessExchange.Outcome {
        let proof = oldSize == 0 || oldSize == checkpoint.size ? [] : try await log.reader.consistencyProof(from: oldSize, to: checkpoint.size).proof
        return await exchange.send(note: note, body: body, oldSize: oldSize, proof: proof)
    }

    private func count(_ outcome: WitnessExchange.Outcome) {
        Counter(label: "ns_witness_requests_total", dimensions: [("witness", name), ("outcome", outcome.label)], factory: factory).increment()
    }

    private mutating func succeeded() {
        if failures > 0 {
            logger.info("the witness cosigns again", metadata: ["witness": .string(name), "failedRounds": .stringConvertible(failures)])
        }
        failures = 0
        retryAt = nil
        lastLogged = nil
    }

    private mutating func failed(kind: String, level: Logger.Level, _ message: String, _ reason: String) {
        failures += 1
        let now = ContinuousClock.now
        let backoff = min(Duration.seconds(1) * (1 << min(failures - 1, 10)), Self.maxBackoff)
        retryAt = now + backoff
        if let last = lastLogged, last.kind == kind, now - last.at < Self.logInterval { return }
        lastLogged = (kind, now)
        logger.log(level: level, "\(message)", metadata: [
            "witness": .string(name), "reason": .string(reason), "retryInSeconds": .stringConvertible(backoff.components.seconds),
        ])
    }
}
