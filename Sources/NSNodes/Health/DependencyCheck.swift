/// One thing a node depends on and can probe: its store, ns-node, Redis.
///
/// `probe` returns normally when the dependency works and throws ``DependencyFailure`` (or any
/// error) when it does not; the caller measures latency and applies the time limit.
public struct DependencyCheck: Sendable {
    /// The name `/health` reports (`store`, `ns-node`, `redis`, `queue`).
    public let name: String
    /// Runs the probe; receives the correlation id to forward on node-to-node calls.
    public let probe: @Sendable (_ requestID: String) async throws -> Void
    /// A fixed fact `/health` shows next to the result (vp-node's sandbox: which isolation is active).
    public let detail: String?

    public init(name: String, detail: String? = nil, probe: @escaping @Sendable (_ requestID: String) async throws -> Void) {
        self.name = name
        self.detail = detail
        self.probe = probe
    }
}

/// Why a probe failed, in words safe to show (no URLs with credentials, no secrets).
public struct DependencyFailure: Error, Sendable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
