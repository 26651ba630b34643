import Logging

/// One answered request, as its access-log line records it (the seeds' example): method, route
/// template, status, duration, and, when known, the user, the artifact's size and why a token
/// was refused.
///
/// Every request writes one, so ``JSONLogHandler`` renders it straight to bytes
/// (``JSONLogHandler/logAccess(_:level:)``) instead of through a metadata dictionary.
public struct AccessLogEntry: Sendable {
    public var method: String
    public var route: String
    public var status: Int
    /// Milliseconds, rounded to microseconds.
    public var durationMs: Double
    public var userId: String?
    public var artifactSize: Int?
    /// Why the request's token was refused (the 401's reason, never the token).
    public var authError: String?

    public init(method: String, route: String, status: Int, duration: Duration, userId: String?, artifactSize: Int?, authError: String? = nil) {
        self.method = method
        self.route = route
        self.status = status
        self.durationMs = (duration / .milliseconds(1) * 1000).rounded() / 1000
        self.userId = userId
        self.artifactSize = artifactSize
        self.authError = authError
    }

    /// The line's message.
    public static let message = "request"

    /// The same fields as log metadata, for handlers other than ``JSONLogHandler``.
    public var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["method": .string(method), "route": .string(route), "status": .stringConvertible(status),
                                         "durationMs": .stringConvertible(durationMs)]
        if let userId { metadata["userId"] = .string(userId) }
        if let artifactSize { metadata["artifactSize"] = .stringConvertible(artifactSize) }
        if let authError { metadata["authError"] = .string(authError) }
        return metadata
    }
}

extension JSONLogHandler {
    /// Writes `entry` as a `request` line at `level`, byte for byte what logging its
    /// ``AccessLogEntry/metadata`` would write, and returns `true` (also when `level` is below
    /// the handler's, writing nothing). Returns `false`, writing nothing, when this handler
    /// carries metadata besides the correlation id or a metadata provider: the caller then logs
    /// the metadata the general way.
    public func logAccess(_ entry: AccessLogEntry, level: Logger.Level) -> Bool {
        guard metadataProvider == nil, metadata.count <= 1, metadata.count == 0 || metadata[Self.correlationKey] != nil else { return false }
        guard level >= logLevel else { return true }
        var line: [UInt8] = []
        line.reserveCapacity(320)
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        LogTimestamp.appendNow(to: &line)
        Self.appendHead(level: level, service: service, message: AccessLogEntry.message, correlation: metadata[Self.correlationKey], after: &line)
        // In key order, as the general path sorts them.
        if let size = entry.artifactSize {
            line.append(contentsOf: #","artifactSize":"#.utf8)
            line.append(contentsOf: String(size).utf8)
        }
        if let authError = entry.authError {
            line.append(contentsOf: #","authError":"#.utf8)
            JSONText.appendString(authError, to: &line)
        }
        line.append(contentsOf: #","durationMs":"#.utf8)
        JSONText.append(.stringConvertible(entry.durationMs), to: &line)
        line.append(contentsOf: #","method":"#.utf8)
        JSONText.appendString(entry.method, to: &line)
        line.append(contentsOf: #","route":"#.utf8)
        JSONText.appendString(entry.route, to: &line)
        line.append(contentsOf: #","status":"#.utf8)
        line.append(contentsOf: String(entry.status).utf8)
        if let userId = entry.userId {
            line.append(contentsOf: #","userId":"#.utf8)
            JSONText.appendString(userId, to: &line)
        }
        line.append(UInt8(ascii: "}"))
        sink.write(line: line, urgent: level >= .error)
        return true
    }
}
