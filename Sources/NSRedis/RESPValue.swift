import NIOCore

/// A RESP2 reply (redis.io/docs/reference/protocol-spec).
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// `nil` is the null bulk string.
    case bulkString([UInt8]?)
    /// `nil` is the null array.
    case array([RESPValue]?)

    /// The reply as text, for simple and bulk strings.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk string that is not null.
    public var bytes: [UInt8]? {
        if case .bulkString(let bytes?) = self { return bytes }
        return nil
    }

    public var int: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var array: [RESPValue]? {
        if case .array(let values?) = self { return values }
        return nil
    }

    public var isNull: Bool {
        self == .bulkString(nil) || self == .array(nil)
    }

    /// Reads one complete reply from `buffer`, or returns `nil` (leaving the buffer as it was)
    /// when more bytes are needed.
    static func parse(_ buffer: inout ByteBuffer, depth: Int = 0) throws(RedisError) -> RESPValue? {
        guard depth < 32 else { throw .protocolViolation("reply nested too deeply") }
        var copy = buffer
        guard let marker = copy.readInteger(as: UInt8.self), let line = readLine(&copy) else { return nil }
        let value: RESPValue
        switch marker {
        case UInt8(ascii: "+"): value = .simpleString(line)
        case UInt8(ascii: "-"): value = .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int64(line) else { throw .protocolViolation("bad integer reply") }
            value = .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length >= -1, length <= 512 * 1024 * 1024 else { throw .protocolViolation("bad bulk length") }
            if length == -1 {
                value = .bulkString(nil)
            } else {
                guard copy.readableBytes >= length + 2, let bytes = copy.readBytes(length: length) else { return nil }
                copy.moveReaderIndex(forwardBy: 2)
                value = .bulkString(bytes)
            }
        case UInt8(ascii: "*"):
            guard let count = Int(line), count >= -1, count <= 1_048_576 else { throw .protocolViolation("bad array length") }
            if count == -1 {
                value = .array(nil)
            } else {
                var elements: [RESPValue] = []
                elements.reserveCapacity(count)
                for _ in 0..<count {
                    guard let element = try parse(&copy, depth: depth + 1) else { return nil }
                    elements.append(element)
                }
                value = .array(elements)
            }
        default:
            throw .protocolViolation("unknown reply type \(marker)")
        }
        buffer = copy
        return value
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\r")),
              end + 1 < buffer.readableBytesView.endIndex else { return nil }
        let length = end - buffer.readableBytesView.startIndex
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// Appends a command (an array of bulk strings) to `buffer`.
    static func encode(_ arguments: [RedisArgument], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.bytes.count)\r\n")
            buffer.writeBytes(argument.bytes)
            buffer.writeString("\r\n")
        }
    }
}

/// One argument of a command: text, a number or raw bytes, sent as a binary-safe bulk string.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(_ number: Int64) { bytes = Array(String(number).utf8) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int64) { self.init(value) }
}

/// Why a Redis call failed. Text never includes the password.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with an error reply (`-ERR ...`, `-NOSCRIPT ...`, `-WRONGPASS ...`).
    case server(String)
    /// No connection could be made or it broke; the call may or may not have run.
    case connection(String)
    /// No reply within the command timeout; the connection was closed.
    case timeout
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis answered: \(message)"
        case .connection(let reason): "Redis is unreachable: \(reason)"
        case .timeout: "Redis did not answer in time"
        case .protocolViolation(let reason): "Redis sent an invalid reply: \(reason)"
        }
    }
}
