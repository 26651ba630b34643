import Crypto
import NSCore

/// A Lua script with its SHA-1 worked out once, when the script is defined: calls send the
/// digest (EVALSHA) and the source only when the server does not know it yet, so the hot path
/// neither hashes nor looks up kilobytes of Lua per call.
public struct RedisScript: Sendable, ExpressibleByStringLiteral {
    public let source: String
    /// Lower-case hex SHA-1 of `source`, as `SCRIPT LOAD` answers it.
    public let sha1: String
    /// Whether running it twice has the effect of running it once; only then does the client
    /// send it again after its connection broke while the Sentinel master changed (a broken call
    /// may or may not have run).
    public let isIdempotent: Bool

    public init(_ source: String, idempotent: Bool = false) {
        self.source = source
        self.isIdempotent = idempotent
        self.sha1 = Hex.encode(Array(Insecure.SHA1.hash(data: Array(source.utf8))))
    }

    public init(stringLiteral source: String) {
        self.init(source)
    }
}
