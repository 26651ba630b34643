import Foundation
import Logging
import NSCore
import NSLedger
import NSNodeClient
import ServiceLifecycle

/// ns-node's witnessing (`WITNESSES`): each new checkpoint goes to every configured witness
/// (c2sp.org/tlog-witness), and each cosignature that verifies is kept in ``cosignatures`` for
/// `/v1/checkpoint` and `/tlog/checkpoint` to serve.
///
/// It runs beside the routes and never holds up an append: an append only wakes it
/// (``checkpointAdvanced()``). Each witness has its own loop, one request in flight at a time,
/// and a wake-up buffer of one, so a slow witness coalesces: it is sent only the newest checkpoint
/// when it is ready again, never a backlog. Every ``pollInterval`` the loops also look at the
/// newest checkpoint themselves, which covers checkpoints appended by another ns-node on a shared
/// PostgreSQL ledger, the one at start-up (cosignatures are in memory, so a restarted ns-node has
/// its current checkpoint witnessed again) and the retry of a witness that was down.
public struct CheckpointWitnessing: Service {
    /// How often each loop looks for a newer checkpoint without being woken.
    static let pollInterval = Duration.seconds(2)

    /// The cosignatures held, for the checkpoint routes.
    public let cosignatures: WitnessCosignatures
    private let loops: [WitnessLoop]
    private let wakeUps: [AsyncStream<Void>]
    private let wakers: [AsyncStream<Void>.Continuation]

    /// - Parameters:
    ///   - peers: `WITNESSES`, at least one.
    ///   - origin, checkpointKey: the log's checkpoint name and key; a note they do not sign is not sent.
    public init(peers: [WitnessPeer], reader: any LedgerReader, origin: String, checkpointKey: LedgerPublicKey,
                metrics: NodeMetrics, logger: Logger) {
        let cosignatures = WitnessCosignatures(witnesses: peers.map(\.name))
        let client = NodeClient(caller: .node, http: NodeClient.failFast)
        let log = WitnessLoop.Log(reader: reader, origin: origin, key: checkpointKey)
        self.cosignatures = cosignatures
        loops = peers.map { peer in
            WitnessLoop(exchange: WitnessExchange(peer: peer, client: client), log: log, cosignatures: cosignatures,
                        factory: metrics.factory, logger: logger)
        }
        let streams = peers.map { _ in AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1)) }
        wakeUps = streams.map(\.stream)
        wakers = streams.map(\.continuation)
    }

    /// Wakes every witness's loop to send the newest checkpoint; returns at once.
    public func checkpointAdvanced() {
        for waker in wakers { waker.yield() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [loops, wakeUps] in
            await withTaskGroup(of: Void.self) { group in
                for (loop, wakeUp) in zip(loops, wakeUps) {
                    group.addTask {
                        var loop = loop
                        await loop.run(wakeUp)
                    }
                }
                group.addTask { await poll() }
            }
        }
    }

    /// Wakes the loops every ``pollInterval`` until cancelled; cancellation also ends each loop's wait.
    private func poll() async {
        while !Task.isCancelled {
            checkpointAdvanced()
            do {
                try await Task.sleep(for: Self.pollInterval)
            } catch {
                return  // cancelled: shutting down
            }
        }
    }
}

/// The checkpoint note `/v1/checkpoint` and `/tlog/checkpoint` serve: the newest signed one, with
/// the witness cosignatures held for exactly it.
struct ServedCheckpoint: Sendable {
    let reader: any LedgerReader
    let cosignatures: WitnessCosignatures?

    func note() async throws -> String {
        let note = try await reader.latestCheckpoint()
        guard let cosignatures else { return note }
        return await cosignatures.cosigned(note)
    }
}
