import Foundation

extension NodeReply {
    /// The names a node's `/health` report lists as `failing` (a 503 names the checks that fail);
    /// empty when the body is no such report.
    ///
    /// Read with Foundation's parser, not canonical JSON: the report carries fractional latencies
    /// (`latencyMs`), which canonical JSON refuses, and a refusal would hide every failing check.
    public var failingChecks: [String] {
        // A body that is not a report names nothing; the status still tells up from down.
        let report = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        return report?["failing"] as? [String] ?? []
    }
}
