import Foundation
import NSCore

/// One round of anchoring admin-node's audit head in the ledger (``AuditAnchor``): nothing when
/// the head is the one last anchored; otherwise check the trail against the ledger's newest
/// anchor, then anchor the head.
///
/// The check comes first so that admin-node never launders a cut: after the newest entries were
/// deleted, the next entry written reuses their numbers, and anchoring it would make the ledger's
/// newest anchor agree with the shortened trail. A trail that does not hold the anchored head is
/// a ``Outcome/failed(_:)`` conflict instead, every round, until the trail is restored.
struct AuditAnchorer: Sendable {
    let audit: any AdminStore
    let ledger: AuditAnchorLedger
    /// The head known to be anchored (by this process, or found in the ledger); rounds while the
    /// trail's head is still this one ask nothing of ns-node.
    private(set) var anchored: AuditHead?

    init(audit: any AdminStore, ledger: AuditAnchorLedger) {
        self.audit = audit
        self.ledger = ledger
    }

    /// An entry's sequence number and hash: what an anchor records of it.
    struct AuditHead: Sendable, Equatable {
        let sequence: Int64
        let hash: String
    }

    struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The metric label: `unreachable`, `refused`, `conflict` or `storage`.
        let reason: String
        let description: String
    }

    enum Outcome: Sendable, Equatable {
        /// Nothing new to anchor; `head` is the trail's head (0 when empty).
        case unchanged(head: Int64)
        /// The head went to ns-node's mempool.
        case anchored(head: Int64)
        case failed(Failure)
    }

    mutating func round() async -> Outcome {
        let head: AuditEntry?
        do {
            head = try await audit.head()
        } catch {
            return .failed(Failure(reason: "storage", description: "the audit trail cannot be read (\(NodeDatabase.describe(error)))"))
        }
        // An empty trail has nothing to anchor; whether the ledger anchored entries it lost is
        // asked when the next entry arrives (and by `nsctl audit verify` at any time).
        guard let head else { return .unchanged(head: 0) }
        let current = AuditHead(sequence: head.sequence, hash: head.hash)
        if current == anchored { return .unchanged(head: head.sequence) }
        do {
            if let found = try await ledger.newest() {
                let hashThere = found.sequence <= head.sequence ? try await audit.entry(sequence: found.sequence)?.hash : nil
                if let finding = AuditAnchorCheck.finding(anchored: found, trailEnd: head.sequence, hashAtAnchored: hashThere) {
                    return .failed(Failure(reason: "conflict", description: finding.description))
                }
                if found.sequence == head.sequence {
                    anchored = current
                    return .unchanged(head: head.sequence)
                }
            }
            // The head's own time, not the clock: another admin-node anchoring this head submits
            // the very same transaction, which ns-node holds once.
            try await ledger.submit(try AuditAnchor.transaction(for: head))
            anchored = current
            return .anchored(head: head.sequence)
        } catch let failure as AuditAnchorLedger.Failure {
            return .failed(Failure(reason: failure.reason, description: failure.description))
        } catch let error as TransactionError {
            return .failed(Failure(reason: "refused", description: "the head cannot be a ledger transaction: \(error)"))
        } catch {
            return .failed(Failure(reason: "storage", description: "the audit trail cannot be read (\(NodeDatabase.describe(error)))"))
        }
    }
}
