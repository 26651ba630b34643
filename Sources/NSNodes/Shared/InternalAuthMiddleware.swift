import Crypto
import HTTPTypes
import Hummingbird
import NSCore

/// Guards node-to-node routes (`POST /tx`, `POST /blocks/produce`): the request must carry
/// `Authorization: Bearer <INTERNAL_TOKEN>`, or during a rotation `INTERNAL_TOKEN_PREVIOUS`.
/// Every accepted token is compared in the same time whatever the presented one, so timing
/// reveals nothing.
public struct InternalAuthMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    let expected: [[UInt8]]

    /// `previous`: the token a rotation replaced, accepted as well until every caller sends `token`.
    public init(token: Secret, previous: Secret? = nil) {
        expected = ([token] + (previous.map { [$0] } ?? [])).map { Array(SHA256.hash(data: Array($0.reveal().utf8))) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw NodeError.unauthorized(detail: "this route needs the internal token: send Authorization: Bearer <INTERNAL_TOKEN>", tokenPresented: false)
        }
        let presented = Array(SHA256.hash(data: Array(header.dropFirst("Bearer ".count).utf8)))
        // Both sides are 32-byte digests; fold every byte of every candidate so the time does not
        // depend on where, or against which accepted token, they differ.
        let matches = expected.map { candidate in zip(presented, candidate).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0 }
        guard matches.contains(true) else { throw NodeError.unauthorized(detail: "the internal token is not valid") }
        return try await next(request, context)
    }
}
