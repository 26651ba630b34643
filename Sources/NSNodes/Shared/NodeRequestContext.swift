import HTTPTypes
import Hummingbird
import NIOCore

/// The request context every node's router uses.
///
/// It carries the correlation id (set by ``CorrelationMiddleware`` before any handler runs) so
/// handlers can pass it on node-to-node calls, and the peer address for rate limits and audit.
public struct NodeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's `X-Request-ID`, accepted from the client or generated.
    public var requestID: String
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`, the correlation header.
    public static let requestID = Self("X-Request-ID")!  // a valid token literal
    /// `Retry-After` (RFC 9110), sent with every 503 and 429.
    public static let retryAfter = Self("Retry-After")!  // a valid token literal
}
