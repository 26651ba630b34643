import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line, as in the seeds' log example:
/// `timestamp` (RFC 3339, UTC, milliseconds), `level`, `service`, `message`, `correlationId` when
/// the request has one, then the remaining metadata in key order.
///
/// The logger's label is the service name (`gateway-node`, `ns-node`, ...). Lines go to the
/// ``LogSink`` given at creation, which serialises writers so lines never interleave.
public struct JSONLogHandler: LogHandler {
    /// The metadata key that carries the request's correlation id; it is written as a top-level field.
    public static let correlationKey = "correlationId"

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String
    private let sink: LogSink

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
        sink.write(Self.render(timestamp: LogTimestamp.now(), level: event.level, service: service, message: event.message.description,
                               fields: fields))
    }

    /// The line for one event, without the trailing newline. Exposed for tests and for tools that
    /// need to write lines in the same format.
    public static func render(timestamp: String, level: Logger.Level, service: String, message: String, metadata: Logger.Metadata) -> String {
        render(timestamp: timestamp, level: level, service: service, message: message, fields: metadata.map { ($0.key, $0.value) })
    }

    /// `fields` holds each key once.
    static func render(timestamp: String, level: Logger.Level, service: String, message: String,
                       fields: [(key: String, value: Logger.Metadata.Value)]) -> String {
        var out = "{\"timestamp\":\"\(timestamp)\",\"level\":\"\(level.rawValue)\",\"service\":"
        out.reserveCapacity(256)
        JSONText.appendString(service, to: &out)
        out += ",\"message\":"
        JSONText.appendString(message, to: &out)
        if let correlation = fields.first(where: { $0.key == correlationKey }) {
            out += ",\"correlationId\":"
            JSONText.append(correlation.value, to: &out)
        }
        for field in fields.sorted(by: { $0.key < $1.key }) where field.key != correlationKey && !reservedKeys.contains(field.key) {
            out += ","
            JSONText.appendString(field.key, to: &out)
            out += ":"
            JSONText.append(field.value, to: &out)
        }
        out += "}"
        return out
    }

    /// Top-level fields metadata may not overwrite: a line always has exactly one of each.
    private static let reservedKeys: Set<String> = ["timestamp", "level", "service", "message"]
}

/// Minimal JSON text writer for log lines: strings escaped per RFC 8259, numbers and booleans bare.
enum JSONText {
    static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            // The concrete types first: a cast to an existential costs more than the rest of a field.
            switch convertible {
            case let number as Int: out += String(number)
            case let number as Double where number.isFinite: out += "\(number)"
            case let number as any BinaryInteger: out += "\(number)"
            case let flag as Bool: out += flag ? "true" : "false"
            default: appendString(convertible.description, to: &out)
            }
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .dictionary(let dictionary):
            out += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                append(dictionary[key]!, to: &out)  // key comes from dictionary.keys
            }
            out += "}"
        }
    }

    static func appendString(_ string: String, to out: inout String) {
        out += "\""
        // Most values (routes, ids, names) need no escaping: append them whole.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += string
            out += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
