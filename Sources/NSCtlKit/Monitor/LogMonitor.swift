import Foundation
import NSCore

/// One run of `nsctl monitor`: fetches ns-node's signed checkpoint, checks it against the
/// pinned key (and every check of the policy), proves from the log's tiles that it extends the
/// checkpoint recorded by the previous run, optionally re-verifies every new tile and entry, and
/// records it. Nothing ns-node says is believed unverified: its tiles are only a source of
/// hashes, which must lead to both signed roots.
///
/// A CRITICAL finding keeps both checkpoint notes as evidence and leaves the state as it was,
/// so every later run compares against the same trusted checkpoint until an operator acts.
struct LogMonitor: Sendable {
    let node: NodeEndpoint
    let policy: CheckpointPolicy
    let stateFile: String
    let verifyTiles: Bool
    /// How long a checkpoint that is short of witness cosignatures, and of nothing else, is
    /// fetched again before that is the finding: ns-node serves a new checkpoint at once, and its
    /// witnesses cosign it a round trip later (or, after a restart, once its loops have sent it).
    var witnessWait: Duration = .zero

    func run(now: Date = Date()) async -> MonitorVerdict {
        let recorded: MonitorState?
        do throws(MonitorState.Unusable) {
            recorded = try MonitorState.read(stateFile)
        } catch {
            return MonitorVerdict(finding: .cannotCheck, message: error.description)
        }
        if let recorded, recorded.checkpoint.origin != policy.origin {
            return MonitorVerdict(finding: .cannotCheck, message: "the state file \(stateFile) records the log \(recorded.checkpoint.origin), "
                                  + "not \(policy.origin) (LEDGER_ORIGIN): use one --state-file per log", recorded: recorded.checkpoint)
        }
        let source = NodeTileSource(node: node)
        let note: String
        let served: Checkpoint
        switch await servedCheckpoint(source, recorded: recorded, now: now) {
        case .success(let checked): (note, served) = checked
        case .failure(let failure): return failure.verdict
        }
        guard let recorded else { return await firstRun(served, note: note, source: source, now: now) }
        let old = recorded.checkpoint
        if served.size < old.size {
            return refused(.rollback, "rollback: ns-node serves \(served.named), smaller than the recorded \(old.named)",
                            recorded: recorded, note: note, served: served, now: now)
        }
        if served.size == old.size {
            guard served.root == old.root else {
                return refused(.fork, "fork: ns-node serves \(served.named), but the recorded checkpoint of that size is \(old.named)",
                                recorded: recorded, note: note, served: served, now: now)
            }
            return MonitorVerdict(finding: .unchanged, message: "\(served.origin) unchanged at \(served.named) since \(recorded.recordedAt)",
                                  recorded: old, served: served)
        }
        return await grew(from: recorded, to: served, note: note, source: source, now: now)
    }

    private func firstRun(_ served: Checkpoint, note: String, source: NodeTileSource, now: Date) async -> MonitorVerdict {
        var verdict = MonitorVerdict(finding: .firstRun, message: "", served: served)
        if verifyTiles {
            switch await audit(served, newSince: 0, note: note, recorded: nil, source: source, now: now) {
            case .success(let summary): verdict.tilesVerified = (summary.hashTiles, summary.entryBundles)
            case .failure(let refused): return refused.verdict
            }
        }
        return record(verdict, MonitorState(checkpoint: served, note: note, recordedAt: Self.timestamp(now)),
                      message: "first run: recorded \(served.origin) \(served.named) in \(stateFile)")
    }

    private func grew(from recorded: MonitorState, to served: Checkpoint, note: String, source: NodeTileSource, now: Date) async -> MonitorVerdict {
        let old = recorded.checkpoint
        let inconsistent = "inconsistent: ns-node's \(served.named) does not extend the recorded \(old.named)"
        do throws(TiledLogCheckError) {
            let proof = try await TiledTree(size: served.size, source: source).consistencyProof(from: old.size)
            guard MerkleVerifier.verifyConsistency(oldSize: old.size, newSize: served.size, oldRoot: old.root, newRoot: served.root, proof: proof) else {
                return refused(.inconsistent, inconsistent + ": the consistency proof from its tiles does not verify",
                                recorded: recorded, note: note, served: served, now: now)
            }
        } catch {
            switch error {
            case .unreadable(let path, let reason):
                return MonitorVerdict(finding: .cannotCheck, message: "cannot prove \(served.named) consistent: cannot read \(path): \(reason)",
                                      recorded: old, served: served)
            case .invalid(let detail):
                return refused(.inconsistent, inconsistent + ": \(detail)", recorded: recorded, note: note, served: served, now: now)
            }
        }
        var verdict = MonitorVerdict(finding: .grew, message: "", recorded: old, served: served)
        if verifyTiles {
            switch await audit(served, newSince: old.size, note: note, recorded: recorded, source: source, now: now) {
            case .success(let summary): verdict.tilesVerified = (summary.hashTiles, summary.entryBundles)
            case .failure(let refused): return refused.verdict
            }
        }
        return record(verdict, MonitorState(checkpoint: served, note: note, recordedAt: Self.timestamp(now)),
                      message: "\(served.origin) grew from \(old.size) to \(served.named), consistent (proved from its tiles)")
    }

    /// `--verify-tiles`: the tiles holding leaves from `oldSize` on; the failure is the verdict to report.
    private func audit(_ served: Checkpoint, newSince oldSize: UInt64, note: String, recorded: MonitorState?, source: NodeTileSource,
                       now: Date) async -> Result<TiledLogAudit<NodeTileSource>.Summary, MonitorFailure> {
        do throws(TiledLogCheckError) {
            return .success(try await TiledLogAudit(checkpoint: served, source: source).verify(newSince: oldSize))
        } catch {
            switch error {
            case .unreadable(let path, let reason):
                return .failure(MonitorFailure(verdict: MonitorVerdict(finding: .cannotCheck, message: "cannot verify the tiles: cannot read \(path): \(reason)",
                                                                       recorded: recorded?.checkpoint, served: served)))
            case .invalid(let detail):
                return .failure(MonitorFailure(verdict: refused(.badTiles, "bad tiles: the tiles of \(served.named) do not verify: \(detail)",
                                                                 recorded: recorded, note: note, served: served, now: now)))
            }
        }
    }

    /// Records `state` and completes the OK verdict; a state that cannot be written is UNKNOWN.
    private func record(_ verdict: MonitorVerdict, _ state: MonitorState, message: String) -> MonitorVerdict {
        do throws(MonitorState.Unusable) {
            try state.write(to: stateFile)
        } catch {
            return MonitorVerdict(finding: .cannotCheck, message: "\(state.checkpoint.named) verified but not recorded: \(error.description)",
                                  recorded: verdict.recorded, served: verdict.served)
        }
        var done = verdict
        let tiles = verdict.tilesVerified.map { "; \($0.hashTiles) hash tiles and \($0.entryBundles) entry bundles re-verified" } ?? ""
        done.message = message + tiles
        return done
    }

    /// ns-node's checkpoint note, verified by the policy. A note refused only for too few
    /// cosignatures is fetched again every second for up to ``witnessWait``.
    private func servedCheckpoint(_ source: NodeTileSource, recorded: MonitorState?, now: Date) async -> Result<(String, Checkpoint), MonitorFailure> {
        let deadline = ContinuousClock.now + witnessWait
        while true {
            let body: [UInt8]
            do throws(TiledLogCheckError) {
                // Read past the largest note, so a larger answer is a bad checkpoint, not an unreadable one.
                body = try await source.fetch(NodeTileSource.prefix + "checkpoint", maxBytes: 16 * MonitorEvidence.maxServedBytes)
            } catch {
                return .failure(MonitorFailure(verdict: MonitorVerdict(finding: .cannotCheck, message: error.description, recorded: recorded?.checkpoint)))
            }
            let note = String(decoding: body, as: UTF8.self)
            do throws(CheckpointRefusal) {
                guard body.count <= MonitorEvidence.maxServedBytes else {
                    throw CheckpointRefusal("malformed checkpoint: \(body.count) bytes, more than any note")
                }
                return .success((note, try policy.verify(note)))
            } catch where error.kind == .cosignatures {
                if ContinuousClock.now + .seconds(1) <= deadline {
                    // Cancellation ends the run anyway: the next fetch then fails or the deadline passes.
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                let waited = witnessWait > .zero ? " (still, after \(witnessWait.components.seconds) s)" : ""
                // No evidence folder: a witness that is down proves nothing, and a folder per
                // episode of it would pile up with every flap while the log grows.
                return .failure(MonitorFailure(verdict: MonitorVerdict(
                    finding: .tooFewCosignatures, message: "too few witness cosignatures on \(node.address)/tlog/checkpoint\(waited): \(error.reason); "
                        + (recorded == nil ? "nothing recorded" : "state not advanced"), recorded: recorded?.checkpoint)))
            } catch {
                return .failure(MonitorFailure(verdict: refused(.badCheckpoint, "bad checkpoint from \(node.address)/tlog/checkpoint: \(error.reason)",
                                                                recorded: recorded, note: note, served: nil, now: now)))
            }
        }
    }

    /// A CRITICAL verdict with its evidence kept; a failure to keep it is said, never softens the state.
    private func refused(_ finding: MonitorVerdict.Finding, _ message: String, recorded: MonitorState?, note: String, served: Checkpoint?,
                          now: Date) -> MonitorVerdict {
        var verdict = MonitorVerdict(finding: finding, message: message, recorded: recorded?.checkpoint, served: served)
        let state = recorded == nil ? "nothing recorded" : "state not advanced"
        do {
            let evidence = try MonitorEvidence.keep(stateFile: stateFile, recorded: recorded, served: note, kind: finding.rawValue, finding: message,
                                                  now: now)
            verdict.evidence = evidence
            verdict.message += "; evidence \(evidence.isNew ? "kept" : "already kept") in \(evidence.folder)/ (\(evidence.files.joined(separator: ", "))); \(state)"
        } catch {
            verdict.message += "; the evidence could not be kept (\(error)); \(state)"
        }
        return verdict
    }

    /// `2026-12-06T19:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}

/// A verdict that ends the run early, carried through a `Result`.
struct MonitorFailure: Error {
    let verdict: MonitorVerdict
}
