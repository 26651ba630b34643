import NSCore

extension LedgerStore {
    /// Submits under ``SubmitRule/sameTransaction``, the rule of every writer but vp-node's workers.
    public func submit(_ txs: [LedgerTransaction]) async throws(LedgerError) -> SubmitOutcome {
        try await submit(txs, rule: .sameTransaction)
    }
}
