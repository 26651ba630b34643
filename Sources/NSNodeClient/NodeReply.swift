import NSCore

/// A node's answer, whatever its status, with the whole body.
public struct NodeReply: Sendable {
    /// What was asked, for messages about this answer.
    public let call: NodeCall
    /// The HTTP status as sent, not yet judged: see ``accept(_:)`` and ``json(accepting:)``.
    public let status: Int
    /// The whole answer, at most the request's `maxBodyBytes`.
    public let body: [UInt8]
    /// From sending the request to the last byte of the body.
    public let latency: Duration

    public init(call: NodeCall, status: Int, body: [UInt8], latency: Duration) {
        self.call = call
        self.status = status
        self.body = body
        self.latency = latency
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body read as an RFC 9457 problem document (or, when it is none, its start).
    public var problem: NodeProblem { NodeProblem(status: status, body: body) }

    /// This reply when its status is one of `accepted`; otherwise throws
    /// ``NodeCallError/Failure/problem(_:)`` with the node's problem details.
    @discardableResult
    public func accept(_ accepted: Set<Int> = [200]) throws(NodeCallError) -> NodeReply {
        guard accepted.contains(status) else { throw NodeCallError(call: call, failure: .problem(problem)) }
        return self
    }

    /// The body as JSON when the status is one of `accepted`. Throws
    /// ``NodeCallError/Failure/problem(_:)`` for another status and
    /// ``NodeCallError/Failure/unreadable(_:)`` for a body that is not JSON.
    public func json(accepting accepted: Set<Int> = [200]) throws(NodeCallError) -> JSONValue {
        try accept(accepted)
        do {
            return try CanonicalJSON.decode(body)
        } catch {
            throw NodeCallError(call: call, failure: .unreadable("invalid JSON"))
        }
    }
}
