import NSCore

/// An error answer from a node: its RFC 9457 problem document (`type`, `title`, `detail` and
/// the field `errors` the nodes add), or the start of a body that is none.
public struct NodeProblem: Sendable, Equatable {
    /// One field the node refused: a JSON pointer into the request body (empty: the whole body).
    public typealias FieldError = HTTPProblem.FieldError

    public let status: Int
    public let type: String?
    public let title: String?
    public let detail: String?
    public let fieldErrors: [FieldError]
    /// The first 200 characters of a body that is not JSON; `nil` for a problem document.
    public let excerpt: String?

    public init(status: Int, body: [UInt8]) {
        self.status = status
        // A body that is not JSON is no problem document: its start is kept for the message instead.
        guard let document = try? CanonicalJSON.decode(body) else {
            (type, title, detail, fieldErrors) = (nil, nil, nil, [])
            excerpt = String(String(decoding: body, as: UTF8.self).prefix(200))
            return
        }
        type = document["type"]?.stringValue
        title = document["title"]?.stringValue
        detail = document["detail"]?.stringValue
        fieldErrors = (document["errors"]?.arrayValue ?? []).compactMap { error in
            guard let pointer = error["pointer"]?.stringValue, let detail = error["detail"]?.stringValue else { return nil }
            return FieldError(pointer: pointer, detail: detail)
        }
        excerpt = nil
    }

    /// `HTTP 422: <detail or title> (<pointer> <detail>; …)`, or `HTTP 502: <start of the body>`.
    public var summary: String {
        if let excerpt { return "HTTP \(status): \(excerpt)" }
        var text = "HTTP \(status): " + (detail ?? title ?? "error")
        if !fieldErrors.isEmpty {
            text += " (" + fieldErrors.map { "\($0.pointer.isEmpty ? "body" : $0.pointer) \($0.detail)" }.joined(separator: "; ") + ")"
        }
        return text
    }
}
