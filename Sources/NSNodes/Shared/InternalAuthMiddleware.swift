import Crypto
import HTTPTypes
import Hummingbird
import NSCore

/// Guards node-to-node routes (`POST /tx`, `POST /blocks/produce`): the request must carry
/// `Authorization: Bearer <INTERNAL_TOKEN>`. The comparison takes the same time whatever the
/// token, so timing reveals nothing.
public struct InternalAuthMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    let expected: [UInt8]

    public init(token: Secret) {
        expected = Array(SHA256.hash(data: Array(token.reveal().utf8)))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw NodeError.unauthorized(detail: "this route needs the internal token: send Authorization: Bearer <INTERNAL_TOKEN>", tokenPresented: false)
        }
        let presented = Array(SHA256.hash(data: Array(header.dropFirst("Bearer ".count).utf8)))
        // Both sides are 32-byte digests; fold every byte so the time does not depend on where they differ.
        let difference = zip(presented, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        guard difference == 0 else { throw NodeError.unauthorized(detail: "the internal token is not valid") }
        return try await next(request, context)
    }
}
