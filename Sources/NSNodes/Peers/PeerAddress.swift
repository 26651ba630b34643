import Foundation
import NSNodeClient
import Synchronization

/// Where a node reaches a peer node: configured URLs (several for ns-nodes that fail over, see
/// ``NodeTargets``), or a node hosted in the same process whose port is known only once its
/// listener is bound (it may be port 0).
///
/// Node-to-node calls go over HTTP even in one process, so the embedded and split deployments run
/// the same code paths.
public final class PeerAddress: Sendable {
    private enum State {
        case fixed(NodeTargets)
        case pending(waiters: [UInt64: CheckedContinuation<NodeTargets, any Error>])
        case bound(NodeTargets)
    }

    private let state: Mutex<State>
    private let nextWaiter = Atomic<UInt64>(0)

    /// A peer at a fixed URL (`NS_NODE_URL`, or the default).
    public convenience init(url: URL) {
        self.init(urls: [url])
    }

    /// Interchangeable peers that calls fail over across, in this order (`NS_NODE_URL` listing
    /// several ns-nodes); `urls` must not be empty.
    public init(urls: [URL]) {
        state = Mutex(.fixed(NodeTargets(urls)))
    }

    /// A peer in this process, resolved by ``bind(host:port:)``.
    public init() {
        state = Mutex(.pending(waiters: [:]))
    }

    /// Records the in-process peer's listener and releases everyone waiting for it. `scheme` is
    /// `https` when the peer serves TLS: its certificate must then name the address called
    /// (127.0.0.1 for a peer listening on every address).
    public func bind(host: String, port: Int, scheme: String = "http") {
        let connectHost = (host == "0.0.0.0" || host == "::" || host.isEmpty) ? "127.0.0.1" : host
        let url = URL(string: "\(scheme)://\(connectHost.contains(":") ? "[\(connectHost)]" : connectHost):\(port)")!  // host and port come from a bound socket
        let targets = NodeTargets([url])
        let waiters = state.withLock { state -> [CheckedContinuation<NodeTargets, any Error>] in
            guard case .pending(let waiters) = state else { return [] }
            state = .bound(targets)
            return Array(waiters.values)
        }
        waiters.forEach { $0.resume(returning: targets) }
    }

    /// The base URL calls try first (``NodeTargets/preferredURL``), waiting for an in-process
    /// peer to bind if it has not yet; throws as ``targets()`` does.
    public func url() async throws -> URL {
        try await targets().preferredURL
    }

    /// The peer's base URLs, waiting for an in-process peer to bind if it has not yet.
    ///
    /// Throws `CancellationError` when the waiting task is cancelled: a peer whose listener never
    /// binds (its port was taken, or shutdown came first) must not hold its callers, and with them
    /// the daemon's shutdown, forever.
    public func targets() async throws -> NodeTargets {
        if let ready = currentTargets { return ready }
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Under the lock, so a cancellation either finds this waiter or is seen here.
                let ready = state.withLock { state -> Result<NodeTargets, any Error>? in
                    switch state {
                    case .fixed(let targets), .bound(let targets): return .success(targets)
                    case .pending(var waiters):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .pending(waiters: waiters)
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<NodeTargets, any Error>? in
                guard case .pending(var waiters) = state, let waiter = waiters.removeValue(forKey: id) else { return nil }
                state = .pending(waiters: waiters)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The URL calls try first, if known now.
    public var currentURL: URL? { currentTargets?.preferredURL }

    /// The URLs if known now.
    public var currentTargets: NodeTargets? {
        state.withLock { state in
            switch state {
            case .fixed(let targets), .bound(let targets): targets
            case .pending: nil
            }
        }
    }
}
