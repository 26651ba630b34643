import HTTPTypes
import Hummingbird
import Logging
import NSCore
import NIOCore
import Synchronization

/// The request context every node's router uses.
///
/// It carries the correlation id (set by ``CorrelationMiddleware`` before any handler runs) so
/// handlers can pass it on node-to-node calls, and the peer address for rate limits and audit.
public struct NodeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's `X-Request-ID`, accepted from the client or generated.
    public var requestID: String
    public let remoteAddress: SocketAddress?
    /// The client, once a route's authentication middleware has verified its token.
    public var user: AuthenticatedUser?
    /// Fields a handler adds to the request's access-log line (shared with the outer middleware,
    /// which holds its own copy of this context).
    public let accessLog = AccessLogFields()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// Who made a request, from a verified token.
public struct AuthenticatedUser: Sendable, Equatable {
    /// The token's `sub`.
    public let subject: String
    /// The token's `role` claim, if any.
    public let role: OperatorRole?

    public init(subject: String, role: OperatorRole?) {
        self.subject = subject
        self.role = role
    }

    /// A `role: admin` claim: sees every job, not only its own.
    public var isAdmin: Bool { role == .admin }
}

/// Access-log fields known only once a request is being handled: who made it, how large its
/// artifact is, and why its token was refused. Shared by every copy of the request's context (a class), so the outer middleware
/// that writes the line sees what an inner one set.
public final class AccessLogFields: Sendable {
    private struct Fields {
        var userId: String?
        var artifactSize: Int?
        var authError: String?
    }

    private let fields = Mutex(Fields())

    public init() {}

    /// The authenticated user (`userId`).
    public func setUser(_ subject: String) {
        fields.withLock { $0.userId = subject }
    }

    /// The submitted artifact's size in UTF-8 bytes, summed over a batch (`artifactSize`).
    public func setArtifactSize(_ bytes: Int) {
        fields.withLock { $0.artifactSize = bytes }
    }

    /// Why the token was refused (`authError`): the reason the 401 gives, never the token.
    public func setAuthError(_ reason: String) {
        fields.withLock { $0.authError = reason }
    }

    /// The request's access-log entry, with the fields that were set.
    func entry(method: String, route: String, status: Int, duration: Duration) -> AccessLogEntry {
        let fields = fields.withLock { $0 }
        return AccessLogEntry(method: method, route: route, status: status, duration: duration, userId: fields.userId, artifactSize: fields.artifactSize,
                              authError: fields.authError)
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`, the correlation header.
    public static let requestID = Self("X-Request-ID")!  // a valid token literal
    /// `Retry-After` (RFC 9110), sent with every 503 and 429.
    public static let retryAfter = Self("Retry-After")!  // a valid token literal
}
