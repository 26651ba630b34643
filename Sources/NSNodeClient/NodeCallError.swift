import AsyncHTTPClient
import NSCore

/// Why a call to a node did not give the caller what it asked for: no answer (unreachable, or
/// not within the deadline), an answer with a status the caller does not accept, or a body it
/// cannot read. Never holds the node's URL, which may carry credentials.
public struct NodeCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the node answered at all, and if so what was wrong with the answer.
    public enum Failure: Sendable, Equatable {
        /// No connection or no answer: refused, unresolvable, broken (in plain words).
        case unreachable(String)
        /// No answer within the deadline; `connecting`: not even a connection in time.
        case timedOut(connecting: Bool)
        /// An answer with a status the caller does not accept.
        case problem(NodeProblem)
        /// An accepted status with a body that is not what was asked for (what is wrong with it).
        case unreadable(String)

        /// The failure in plain words: `connection refused`, `timed out`, `HTTP 409: …`, `invalid JSON`.
        public var reason: String {
            switch self {
            case .unreachable(let phrase): phrase
            case .timedOut(let connecting): connecting ? "timed out connecting" : "timed out"
            case .problem(let problem): problem.summary
            case .unreadable(let what): what
            }
        }
    }

    /// The call that failed, for messages: names the node and the request line, never its URL.
    public let call: NodeCall
    /// Why it failed: callers branch on it (no answer, refused status, unreadable body).
    public let failure: Failure

    /// A failure the caller classified itself, such as an answer it cannot use.
    public init(call: NodeCall, failure: Failure) {
        self.call = call
        self.failure = failure
    }

    /// The failure of a call that got no answer, from AsyncHTTPClient's or NIO's error.
    public init(_ call: NodeCall, classifying error: any Error) {
        self.init(call: call, failure: Self.noAnswer(error))
    }

    /// Plain words for an error that left a call without an answer, the same phrases as
    /// ``NetworkFailure`` (a timeout is `.timedOut`, anything else `.unreachable`).
    public static func noAnswer(_ error: any Error) -> Failure {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout { return .timedOut(connecting: false) }
            if error == .connectTimeout { return .timedOut(connecting: true) }
        }
        switch NetworkFailure.describe(error) {
        case "timed out connecting": return .timedOut(connecting: true)
        case "timed out": return .timedOut(connecting: false)
        case let phrase: return .unreachable(phrase)
        }
    }

    /// The node did not answer at all (as opposed to answering something unwanted).
    public var isNoAnswer: Bool {
        switch failure {
        case .unreachable, .timedOut: true
        case .problem, .unreadable: false
        }
    }

    /// The failure alone, without the call (``Failure/reason``).
    public var reason: String { failure.reason }

    /// `ns-node did not answer GET /v1/mempool (connection refused)`, `vp-node refused POST /v1/queue/pause:
    /// <detail>`, `ns-node answered GET /v1/blocks/latest with invalid JSON`.
    public var description: String {
        switch failure {
        case .unreachable, .timedOut: "\(call.node) did not answer \(call) (\(reason))"
        case .problem(let problem): "\(call.node) refused \(call): \(problem.detail ?? "HTTP \(problem.status)")"
        case .unreadable(let what): "\(call.node) answered \(call) with \(what)"
        }
    }
}
