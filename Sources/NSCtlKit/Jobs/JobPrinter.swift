import Foundation
import NSCore

/// Job output: aligned text for people, the API's JSON for scripts.
struct JobPrinter {
    let json: Bool

    func raw(_ value: JSONValue, text: String) throws {
        print(json ? String(decoding: CanonicalJSON.encode(value), as: UTF8.self) : text)
    }

    func list(_ answer: JSONValue) {
        if json { return print(String(decoding: CanonicalJSON.encode(answer), as: UTF8.self)) }
        let jobs = answer["jobs"]?.arrayValue ?? []
        if jobs.isEmpty { return print("no jobs") }
        for job in jobs {
            let last = job["errors"]?.arrayValue?.last?["message"]?.stringValue.map { "  last error: \($0)" } ?? ""
            print("\(field(job, "id"))  \(field(job, "state"))  \(field(job, "type"))  attempts \(job["attempts"]?.intValue ?? 0)/\(job["maxAttempts"]?.intValue ?? 0)  \(field(job, "updatedAt"))\(last)")
        }
    }

    /// One job. A job the queue has deleted after its retention (`"source": "ledger"`) has no
    /// attempts or errors left to show, only its transaction: that is said instead.
    func detail(_ job: JSONValue) {
        if json { return print(String(decoding: CanonicalJSON.encode(job), as: UTF8.self)) }
        for key in ["id", "type", "state", "priority", "createdAt", "updatedAt", "nextAttemptAt", "leaseOwner", "submitter", "txHash"] where job[key] != nil {
            print("\(key): \(field(job, key))")
        }
        if let ledger = job["ledger"] { print("ledger: \(Self.describe(ledger: ledger))") }
        if job["source"]?.stringValue == "ledger" {
            return print("history: gone (the queue deleted the finished job after JOB_RETENTION_MS; shown from its ledger transaction)")
        }
        print("attempts: \(job["attempts"]?.intValue ?? 0) of \(job["maxAttempts"]?.intValue ?? 0)")
        let errors = job["errors"]?.arrayValue ?? []
        print("errors: \(errors.isEmpty ? "none" : "")")
        for error in errors { print("  \(field(error, "time"))  \(field(error, "worker"))  \(field(error, "message"))") }
    }

    /// `committed in block H at leaf L`, or the status (`pending`) with its detail.
    static func describe(ledger: JSONValue) -> String {
        let status = ledger["status"]?.stringValue ?? "unknown"
        if status == "committed", let height = ledger["blockHeight"]?.intValue {
            return "committed in block \(height)" + (ledger["leafIndex"]?.intValue.map { " at leaf \($0)" } ?? "")
        }
        return status + (ledger["detail"]?.stringValue.map { " (\($0))" } ?? "")
    }

    private func field(_ value: JSONValue, _ key: String) -> String {
        value[key]?.stringValue ?? ""
    }
}
