import Foundation
import Logging
import NSCore

/// A C2SP tlog-witness (c2sp.org/tlog-witness): cosigns a log's checkpoint only when the log's
/// key signed it and it is consistent with the last checkpoint this witness cosigned for that
/// log, so it never cosigns a smaller tree or a diverging one, across restarts too (the state is
/// in ``WitnessStore``, updated atomically with each answer).
public struct Witness: Sendable {
    /// Largest add-checkpoint body read: 63 proof lines and a note with many signatures fit in
    /// a tenth of it; anything longer is 413 unread.
    public static let maxBodyBytes = 65_536

    let key: CosignerKey
    let logs: [String: LedgerPublicKey]
    let store: WitnessStore
    let logger: Logger
    /// POSIX seconds for a cosignature's timestamp.
    let now: @Sendable () -> UInt64

    public init(key: CosignerKey, logs: [WitnessSettings.Log], store: WitnessStore, logger: Logger,
                now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }) {
        self.key = key
        self.logs = Dictionary(uniqueKeysWithValues: logs.map { ($0.origin, $0.publicKey) })
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Handles one add-checkpoint body: the cosignature lines to answer with, or why not, with
    /// the checks in the order the specification lists them. The new state is committed before
    /// this returns.
    public func addCheckpoint(_ body: [UInt8]) async throws(WitnessRefusal) -> String {
        let request: AddCheckpointRequest
        do {
            request = try AddCheckpointRequest.parse(body)
        } catch {
            throw .malformed(error.reason)
        }
        guard let origin = request.note.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init),
              !origin.isEmpty
        else { throw .malformed("the checkpoint has no origin line") }
        guard let logKey = logs[origin] else { throw .unknownLog(origin: origin) }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(note: request.note, name: origin, publicKey: logKey)
        } catch {
            if case .malformed(let reason) = error { throw .malformed(reason) }
            throw .notSignedByLog(origin: origin, reason: error.description)
        }
        guard request.oldSize <= checkpoint.size else { throw .malformed("old size \(request.oldSize) exceeds the checkpoint's size \(checkpoint.size)") }
        guard checkpoint.size <= UInt64(Int64.max) else { throw .malformed("the tree size exceeds 2^63 - 1") }
        try await record(checkpoint, request: request)
        // Everything before the blank line: the exact text the log signed, extension lines included.
        let noteBody = Checkpoint.body(ofNote: request.note) ?? request.note + "\n"
        return key.cosign(body: noteBody, timestamp: now())
    }

    /// Advances the recorded tree of the checkpoint's log to it, or throws why it may not.
    private func record(_ checkpoint: Checkpoint, request: AddCheckpointRequest) async throws(WitnessRefusal) {
        let proposed = WitnessedTree(size: checkpoint.size, root: checkpoint.root)
        do {
            _ = try await store.advance(origin: checkpoint.origin) { recorded throws in
                guard request.oldSize == recorded.size else { throw WitnessRefusal.conflict(recordedSize: recorded.size) }
                if recorded.size == proposed.size {
                    guard recorded.root == proposed.root else { throw WitnessRefusal.conflict(recordedSize: recorded.size) }
                    guard request.proof.isEmpty else {
                        throw WitnessRefusal.inconsistent(origin: checkpoint.origin, oldSize: recorded.size, size: proposed.size)
                    }
                    return recorded
                }
                guard MerkleVerifier.verifyConsistency(oldSize: recorded.size, newSize: proposed.size, oldRoot: recorded.root,
                                                       newRoot: proposed.root, proof: request.proof)
                else { throw WitnessRefusal.inconsistent(origin: checkpoint.origin, oldSize: recorded.size, size: proposed.size) }
                return proposed
            }
        } catch let refusal as WitnessRefusal {
            switch refusal {
            // A conflict at the size the log named means a second root for one size: a fork.
            case .conflict(request.oldSize): reportFork(checkpoint, note: request.note)
            case .inconsistent: reportInconsistent(checkpoint, oldSize: request.oldSize)
            default: break  // a stale old size is routine: the log learns the witness's size from the 409
            }
            throw refusal
        } catch {
            throw .storage(reason: NodeDatabase.describe(error))
        }
    }

    /// A second root signed by the log for a size this witness already cosigned is evidence of a
    /// fork (a split view): the checkpoint's body and the log's signature line are logged (public
    /// data) for the operator to keep beside the tree the witness recorded. Only the log's key can
    /// cause this line, and it is bounded: any further lines of the note are left out.
    private func reportFork(_ checkpoint: Checkpoint, note: String) {
        let signatures = note.range(of: "\n\n").map { note[$0.upperBound...] } ?? ""
        let signature = signatures.split(separator: "\n").first { $0.hasPrefix("— \(checkpoint.origin) ") }.map(String.init) ?? ""
        logger.warning("checkpoint signed by the log has another root for a size this witness cosigned: evidence of a fork", metadata: [
            "origin": .string(checkpoint.origin), "size": .stringConvertible(checkpoint.size), "root": .string(checkpoint.root.hex),
            "note": .string((Checkpoint.body(ofNote: note) ?? "") + "\n" + signature + "\n"),
        ])
    }

    /// A checkpoint the log signed whose proof does not lead from the tree this witness cosigned.
    /// Not evidence by itself: the proof is not signed, so anyone can pair a real checkpoint with a
    /// wrong proof. Logged with sizes only, so such requests cannot fill the log.
    private func reportInconsistent(_ checkpoint: Checkpoint, oldSize: UInt64) {
        logger.warning("checkpoint signed by the log came with a proof that does not lead from the tree cosigned before", metadata: [
            "origin": .string(checkpoint.origin), "oldSize": .stringConvertible(oldSize), "size": .stringConvertible(checkpoint.size),
            "root": .string(checkpoint.root.hex),
        ])
    }
}
