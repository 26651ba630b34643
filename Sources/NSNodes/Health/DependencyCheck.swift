/// One thing a node depends on and can probe: its store, ns-node, Redis.
///
/// `probe` returns normally when the dependency works and throws ``DependencyFailure`` (or any
/// error) when it does not; the caller measures latency and applies the time limit.
public struct DependencyCheck: Sendable {
    /// The name `/health` reports (`store`, `ns-node`, `redis`, `queue`).
    public let name: String
    /// Runs the probe; receives the correlation id to forward on node-to-node calls, and returns
    /// what `/health` shows as the check's detail when it passes.
    public let probe: @Sendable (_ requestID: String) async throws -> String?
    /// A fixed fact `/health` shows next to the result when the probe returns none.
    public let detail: String?

    public init(name: String, detail: String? = nil, probe: @escaping @Sendable (_ requestID: String) async throws -> Void) {
        self.name = name
        self.detail = detail
        self.probe = { requestID in
            try await probe(requestID)
            return nil
        }
    }

    /// A check whose detail is found by the probe (vp-node's sandbox: which runtimes can run;
    /// which of several ns-nodes are down), `nil` when it has none to show.
    public static func reporting(name: String, probe: @escaping @Sendable (_ requestID: String) async throws -> String?) -> DependencyCheck {
        DependencyCheck(name: name, probe: probe)
    }

    private init(name: String, probe: @escaping @Sendable (_ requestID: String) async throws -> String?) {
        self.name = name
        self.detail = nil
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
