/// The last few thousand sandbox outcomes by job id (oldest forgotten first), so that a job
/// retried after a failed send produces the identical transaction. Lost on restart: a job
/// retried by another process runs its snippet again.
actor SandboxOutcomeCache {
    private let capacity: Int
    private var outcomes: [String: SandboxOutcome] = [:]
    private var order: [String] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func outcome(for jobID: String) -> SandboxOutcome? {
        outcomes[jobID]
    }

    func remember(_ outcome: SandboxOutcome, for jobID: String) {
        if outcomes.updateValue(outcome, forKey: jobID) == nil { order.append(jobID) }
        if order.count > capacity {
            let evicted = order.count - capacity
            for id in order.prefix(evicted) { outcomes[id] = nil }
            order.removeFirst(evicted)
        }
    }
}
