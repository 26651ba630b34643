import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// HTTP calls from one node to another. Every call carries the caller's correlation id in
/// `X-Request-ID` so one id follows a request across nodes, and has a deadline.
public struct NodeHTTPClient: Sendable {
    public struct Reply: Sendable {
        public let status: Int
        public let body: ByteBuffer
    }

    private let client: HTTPClient
    /// How node-to-node calls name themselves (every node's client sends it); the access log
    /// keeps their successes at debug level.
    public static let userAgentPrefix = "nsd/"
    public static let userAgent = userAgentPrefix + NeuroSwarmVersion.current

    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// An HTTP client on which a refused connection fails at once instead of being retried until
    /// the call's deadline: health probes then say "connection refused" rather than "timed out",
    /// and vp-node's calls fail fast so the queue's backoff, not a hung call holding a lease,
    /// paces the retries. Process-wide and never shut down (a global is never deinitialised).
    public static let failFast: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The client for health probes (``failFast``).
    public static let probing = NodeHTTPClient(client: failFast)

    /// `GET base + path`. Connection failures and timeouts throw ``DependencyFailure`` in plain words.
    public func get(_ base: URL, path: String, requestID: String, timeout: Duration) async throws -> Reply {
        var request = HTTPClientRequest(url: base.absoluteString.trimmingSuffix("/") + path)
        request.headers.add(name: RequestID.headerName, value: requestID)
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
            return Reply(status: Int(response.status.code), body: body)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw DependencyFailure("timed out")
        } catch let error as DependencyFailure {
            throw error
        } catch {
            throw DependencyFailure(NetworkFailure.describe(error))
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
