import HTTPTypes
import Hummingbird
import NSCore

/// Reading and writing JSON bodies the ledger's way: strict parsing (``CanonicalJSON``) in,
/// canonical encoding out.
public enum JSONBody {
    /// The request body as JSON. Content type other than ``JSONMediaType``'s: 415; over `limit`
    /// bytes: 413; not JSON: 400.
    public static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        try CanonicalJSON.decode(try await bytes(request, limit: limit))
    }

    /// The raw body of a JSON request (content type and size checked), for callers that parse it
    /// in parts.
    public static func bytes(_ request: Request, limit: Int) async throws -> [UInt8] {
        try JSONMediaType.check(request.headers[.contentType])
        let buffer = try await request.body.collect(upTo: limit)
        return Array(buffer.readableBytesView)
    }

    /// A JSON response in canonical form.
    public static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        response(encoded: CanonicalJSON.encode(value), status: status)
    }

    /// A JSON response from bytes that are already canonical JSON.
    public static func response(encoded bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
