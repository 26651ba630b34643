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

    func detail(_ job: JSONValue) {
        if json { return print(String(decoding: CanonicalJSON.encode(job), as: UTF8.self)) }
        for key in ["id", "type", "state", "priority", "createdAt", "updatedAt", "nextAttemptAt", "leaseOwner"] where job[key] != nil {
            print("\(key): \(field(job, key))")
        }
        print("attempts: \(job["attempts"]?.intValue ?? 0) of \(job["maxAttempts"]?.intValue ?? 0)")
        let errors = job["errors"]?.arrayValue ?? []
        print("errors: \(errors.isEmpty ? "none" : "")")
        for error in errors { print("  \(field(error, "time"))  \(field(error, "worker"))  \(field(error, "message"))") }
    }

    private func field(_ value: JSONValue, _ key: String) -> String {
        value[key]?.stringValue ?? ""
    }
}
