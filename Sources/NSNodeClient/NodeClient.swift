import AsyncHTTPClient
import Foundation
import NSCore

/// The one HTTP client for calls to a NeuroSwarm node: node to node (the gateway and vp-node to
/// ns-node, admin-node to every node) and nsctl to a node. Every call has a deadline, names its
/// caller in `User-Agent`, and ends in a ``NodeReply`` (any status) or a ``NodeCallError`` that
/// says whether the node was unreachable or too slow.
///
/// Statuses are the caller's to judge: ``NodeReply/json(accepting:)`` and
/// ``NodeReply/accept(_:)`` turn an unexpected one into a ``NodeCallError`` carrying the
/// node's problem details.
public struct NodeClient: Sendable {
    /// Who calls, sent as `User-Agent` with the version.
    public enum Caller: String, Sendable {
        /// A node of nsd; the access log keeps the successes of such calls at debug level.
        case node = "nsd/"
        case nsctl = "nsctl/"

        /// What a `User-Agent` starts with when this caller sent it.
        public var userAgentPrefix: String { rawValue }

        /// `nsd/1.2.3` or `nsctl/1.2.3`: the access log tells node calls from operators' by it.
        public var userAgent: String { rawValue + NeuroSwarmVersion.current }
    }

    /// Sent as `User-Agent` on every call, so the called node can tell who asked.
    public let caller: Caller
    /// The connection pool calls go through; its owner (not this value) shuts it down.
    public let http: HTTPClient

    /// `http` defaults to ``standard``, which retries a refused connection until the call's
    /// deadline; pass ``failFast`` (or ``failingFast(connectTimeout:)``) to fail at once.
    public init(caller: Caller, http: HTTPClient = NodeClient.standard) {
        self.caller = caller
        self.http = http
    }

    /// The client that retries a refused connection until the call's deadline, as AsyncHTTPClient's
    /// shared client does, trusting what ``NodeTrust`` was given. Process-wide and never shut down
    /// (a global is never deinitialised).
    public static let standard = HTTPClient(eventLoopGroupProvider: .singleton,
                                            configuration: NodeTrust.httpConfiguration(.singletonConfiguration))

    /// An HTTP client on which a refused connection fails at once instead of being retried until
    /// the call's deadline, and a connection takes at most 2 seconds to open: health probes then
    /// say "connection refused" rather than "timed out", and vp-node's calls fail fast so the
    /// queue's backoff, not a hung call holding a lease, paces the retries. Process-wide and never
    /// shut down (a global is never deinitialised).
    public static let failFast = failingFast(connectTimeout: .seconds(2))

    /// A new HTTP client that does not retry a refused connection, trusting what ``NodeTrust``
    /// was given; `connectTimeout` `nil` keeps AsyncHTTPClient's default. The caller keeps it for the life of the process (or shuts it down).
    public static func failingFast(connectTimeout: Duration?) -> HTTPClient {
        var configuration = NodeTrust.httpConfiguration()
        configuration.connectionPool.retryConnectionEstablishment = false
        if let connectTimeout { configuration.timeout.connect = .nanoseconds(Int64(connectTimeout / .nanoseconds(1))) }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends `request` and collects the whole answer, whatever its status. Throws
    /// ``NodeCallError`` with ``NodeCallError/Failure/unreachable(_:)`` or
    /// ``NodeCallError/Failure/timedOut(connecting:)`` when no answer came.
    public func send(_ request: NodeRequest) async throws(NodeCallError) -> NodeReply {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers.add(name: "User-Agent", value: caller.userAgent)
        if let requestID = request.requestID { outgoing.headers.add(name: RequestID.headerName, value: requestID) }
        if let bearer = request.bearer { outgoing.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.jsonBody {
            outgoing.headers.add(name: "Content-Type", value: request.bodyContentType)
            outgoing.body = .bytes(body)
        }
        let started = ContinuousClock.now
        do {
            let response = try await http.execute(outgoing, timeout: .nanoseconds(Int64(request.timeout / .nanoseconds(1))))
            let body = try await response.body.collect(upTo: request.maxBodyBytes)
            return NodeReply(call: request.call, status: Int(response.status.code), body: Array(body.readableBytesView),
                             latency: ContinuousClock.now - started)
        } catch {
            throw NodeCallError(request.call, classifying: error)
        }
    }
}
