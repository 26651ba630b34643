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
        let noteBody = String(request.note[..<(request.note.range(of: "\n\n")?.lowerBound ?? request.note.endIndex)]) + "\n"
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
            case .inconsistent, .conflict(request.oldSize): reportEvidence(request, refusal: refusal)
            default: break  // a stale old size is routine: the log learns the witness's size from the 409
            }
            throw refusal
        } catch {
            throw .storage(reason: NodeDatabase.describe(error))
        }
    }

    /// A checkpoint the log signed that does not extend what this witness cosigned is evidence of
    /// a split view: it is logged in full (public data) for the operator to keep. Only the log's
    /// key can cause this line, so it cannot be used to flood the log.
    private func reportEvidence(_ request: AddCheckpointRequest, refusal: WitnessRefusal) {
        logger.warning("checkpoint signed by the log is inconsistent with the one cosigned before", metadata: [
            "refusal": .string(refusal.httpProblem.detail), "oldSize": .stringConvertible(request.oldSize),
            "proof": .array(request.proof.map { .string($0.base64) }), "note": .string(request.note),
        ])
    }
}
