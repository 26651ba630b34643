import Foundation
import Logging
import NSCore
@testable import NSNodes

/// Loggers that write nsd's JSON lines into memory, and those lines read back as objects, so a
/// test can check what an operator would read.
struct CapturedLog {
    let sink = LogSink(standardOutput: false, capture: true)

    func logger(_ service: String) -> Logger {
        Logger(label: service) { [sink] in JSONLogHandler(service: $0, level: .info, sink: sink) }
    }

    /// Every line, as its JSON object's string fields.
    var records: [[String: String]] {
        sink.capturedLines.map { line in
            // A line that is not a JSON object has no fields, and the expectations on it fail.
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return object.mapValues { "\($0)" }
        }
    }

    /// The lines of one ``InternalErrors`` operation.
    func records(operation: String) -> [[String: String]] {
        records.filter { $0["operation"] == operation }
    }

    /// Every line as written, to look for text that must not be there.
    var text: String { sink.capturedLines.joined(separator: "\n") }
}

extension NodeMetrics {
    /// The value of `ns_internal_errors_total` for `operation`, 0 when there is no such series.
    func internalErrors(_ operation: String) -> Int {
        let prefix = #"ns_internal_errors_total{node="\#(node)",operation="\#(operation)"} "#
        let text = String(decoding: render(), as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }
}
