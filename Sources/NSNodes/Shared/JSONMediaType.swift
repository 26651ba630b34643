/// The one `Content-Type` every node's JSON routes read: `application/json`, with no parameter
/// but an optional `charset=utf-8` (RFC 8259 section 8.1: JSON exchanged between systems is UTF-8).
///
/// The type is compared whole, after RFC 9110's grammar (`type/subtype *(OWS ";" OWS
/// [parameter])`), never as a prefix: `application/jsonp`, `application/json5` and
/// `application/json-patch+json` name other formats and are refused. Anything that does not
/// parse is refused as well.
public enum JSONMediaType {
    public static let essence = "application/json"

    /// Throws ``NodeError/unsupportedMediaType(detail:)`` (415) naming what is wrong, unless
    /// `contentType` is `application/json` with at most `charset=utf-8`.
    public static func check(_ contentType: String?) throws(NodeError) {
        guard let contentType, !trimmed(Substring(contentType)).isEmpty else {
            throw .unsupportedMediaType(detail: "the request has no Content-Type; send the body as Content-Type: \(essence)")
        }
        var pieces = contentType.split(separator: ";", omittingEmptySubsequences: false)[...]
        let type = trimmed(pieces.removeFirst())
        guard type.lowercased() == essence else {
            throw .unsupportedMediaType(detail: "Content-Type \(quoted(type)) is not JSON; send the body as Content-Type: \(essence)")
        }
        for piece in pieces {
            let parameter = trimmed(piece)
            if parameter.isEmpty { continue }
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].lowercased() == "charset" else {
                throw .unsupportedMediaType(detail: "\(essence) takes no parameter \(quoted(parameter)); only charset=utf-8 is accepted")
            }
            guard unquoted(parts[1]).lowercased() == "utf-8" else {
                throw .unsupportedMediaType(detail: "charset \(quoted(parts[1])) is not accepted; JSON bodies are UTF-8 (send charset=utf-8 or none)")
            }
        }
    }

    /// Without the optional whitespace (spaces and tabs) around it.
    private static func trimmed(_ text: Substring) -> Substring {
        let isText: (Character) -> Bool = { $0 != " " && $0 != "\t" }
        guard let first = text.firstIndex(where: isText), let last = text.lastIndex(where: isText) else { return "" }
        return text[first...last]
    }

    /// A parameter value with its surrounding double quotes removed; a value with escapes is left
    /// as it is (and so refused).
    private static func unquoted(_ value: Substring) -> Substring {
        guard value.count >= 2, value.first == "\"", value.last == "\"", !value.contains("\\") else { return value }
        return value.dropFirst().dropLast()
    }

    /// What the client sent, shortened, for the problem's detail.
    private static func quoted(_ text: Substring) -> String {
        "\"" + (text.count > 80 ? text.prefix(80) + "…" : text) + "\""
    }
}
