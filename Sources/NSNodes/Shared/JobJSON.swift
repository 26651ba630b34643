import NSCore
import NSQueue

/// The fields every API that shows a job shares (the gateway's status, vp-node's operator
/// routes), so a job reads the same wherever it is looked up.
enum JobJSON {
    /// id, state, priority, attempts, maxAttempts, createdAt, updatedAt, and nextAttemptAt while retrying.
    static func common(_ job: Job) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "id": .string(job.id), "state": .string(job.state.rawValue), "priority": .string(job.priority.rawValue),
            "attempts": .int(Int64(job.attempts)), "maxAttempts": .int(Int64(job.maxAttempts)),
            "createdAt": .string(LogTimestamp.format(unixMs: job.createdAt)), "updatedAt": .string(LogTimestamp.format(unixMs: job.updatedAt)),
        ]
        if job.state == .retry { fields["nextAttemptAt"] = .string(LogTimestamp.format(unixMs: job.runAt)) }
        return fields
    }

    /// One failed attempt; `worker` is left out where clients should not see worker names.
    static func failure(_ failure: JobFailure, withWorker: Bool) -> JSONValue {
        var fields: [String: JSONValue] = ["time": .string(LogTimestamp.format(unixMs: failure.time)), "message": .string(failure.message)]
        if withWorker { fields["worker"] = .string(failure.worker) }
        return .object(fields)
    }
}
