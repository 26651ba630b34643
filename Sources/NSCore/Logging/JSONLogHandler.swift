import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line, as in the seeds' log example:
/// `timestamp` (RFC 3339, UTC, milliseconds), `level`, `service`, `message`, `correlationId` when
/// the request has one, then the remaining metadata in key order.
///
/// The logger's label is the service name (`gateway-node`, `ns-node`, ...). Lines go to the
/// ``LogSink`` given at creation, which keeps them whole and in order.
public struct JSONLogHandler: LogHandler {
    /// The metadata key that carries the request's correlation id; it is written as a top-level field.
    public static let correlationKey = "correlationId"

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let service: String
    let sink: LogSink

    public init(service: String, level: Logger.Level, sink: LogSink, metadataProvider: Logger.MetadataProvider? = nil) {
        self.service = service
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Later sources win: the handler's metadata, then the provider's, then the call's. The
        // fields are gathered as pairs, not merged dictionaries: this runs for every request.
        var fields: [(key: String, value: Logger.Metadata.Value)] = []
        let provided = metadataProvider?.get()
        fields.reserveCapacity(metadata.count + (provided?.count ?? 0) + (event.metadata?.count ?? 0) + 1)
        for (key, value) in metadata where provided?[key] == nil && event.metadata?[key] == nil {
            fields.append((key, value))
        }
        for (key, value) in provided ?? [:] where event.metadata?[key] == nil { fields.append((key, value)) }
        for (key, value) in event.metadata ?? [:] { fields.append((key, value)) }
        if let error = event.error, !fields.contains(where: { $0.key == "error" }) {
            fields.append(("error", .string(String(describing: type(of: error)))))
        }
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        LogTimestamp.appendNow(to: &line)
        Self.render(level: event.level, service: service, message: event.message.description, fields: fields, after: &line)
        // Errors are written before the call returns: the process may be about to exit.
        sink.write(line: line, urgent: event.level >= .error)
    }

    /// The line for one event, without the trailing newline. Exposed for tests and for tools that
    /// need to write lines in the same format.
    public static func render(timestamp: String, level: Logger.Level, service: String, message: String, metadata: Logger.Metadata) -> String {
        var line = Array(#"{"timestamp":""#.utf8)
        line.append(contentsOf: timestamp.utf8)
        render(level: level, service: service, message: message, fields: metadata.map { ($0.key, $0.value) }, after: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// Appends the rest of a line to `line`, which ends with the timestamp's digits. `fields`
    /// holds each key once.
    static func render(level: Logger.Level, service: String, message: String,
                       fields: [(key: String, value: Logger.Metadata.Value)], after line: inout [UInt8]) {
        appendHead(level: level, service: service, message: message,
                   correlation: fields.first(where: { $0.key == correlationKey })?.value, after: &line)
        for field in fields.sorted(by: { $0.key < $1.key }) where field.key != correlationKey && !isReserved(field.key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(field.key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONText.append(field.value, to: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    /// The fields every line has after its timestamp: level, service, message and, when the
    /// request has one, the correlation id. The metadata fields and the closing brace follow.
    static func appendHead(level: Logger.Level, service: String, message: String, correlation: Logger.Metadata.Value?,
                           after line: inout [UInt8]) {
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","service":"#.utf8)
        JSONText.appendString(service, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONText.appendString(message, to: &line)
        if let correlation {
            line.append(contentsOf: #","correlationId":"#.utf8)
            JSONText.append(correlation, to: &line)
        }
    }

    /// Top-level fields metadata may not overwrite: a line always has exactly one of each.
    private static func isReserved(_ key: String) -> Bool {
        key == "timestamp" || key == "level" || key == "service" || key == "message"
    }
}

/// Minimal JSON text writer for log lines: strings escaped per RFC 8259, numbers and booleans bare.
enum JSONText {
    static func append(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            // The concrete types first: a cast to an existential costs more than the rest of a field.
            switch convertible {
            case let number as Int: out.append(contentsOf: String(number).utf8)
            case let number as Double where number.isFinite: out.append(contentsOf: "\(number)".utf8)
            case let number as any BinaryInteger: out.append(contentsOf: "\(number)".utf8)
            case let flag as Bool: out.append(contentsOf: (flag ? "true" : "false").utf8)
            default: appendString(convertible.description, to: &out)
            }
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            out.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(dictionary[key]!, to: &out)  // key comes from dictionary.keys
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `string` quoted, with `"`, `\\` and control characters (U+0000–U+001F, U+007F) escaped;
    /// everything else, multi-byte characters included, is copied as UTF-8.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most values (routes, ids, names) need no escaping: append them whole.
        let utf8 = string.utf8
        if !utf8.contains(where: needsEscape) {
            out.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
                case _ where needsEscape(byte):
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
