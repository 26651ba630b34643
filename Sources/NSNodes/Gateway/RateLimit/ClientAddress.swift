import HTTPTypes
import NIOCore
import NSCore

/// The address a request is counted against: the socket peer, or, when that peer is a trusted
/// proxy (`TRUSTED_PROXIES`), the nearest untrusted hop in `X-Forwarded-For`.
///
/// Walking the header from the right stops a client from choosing its own address: a client can
/// prepend anything, but the hops a trusted proxy appended are on the right.
public struct ClientAddress: Sendable {
    public let trustedProxies: [IPNetwork]

    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    /// `forwardedFor` is read only when the peer is a trusted proxy.
    public func resolve(peer: SocketAddress?, forwardedFor: @autoclosure () -> String?) -> String {
        let peerAddress = peer?.ipAddress ?? "unknown"
        guard !trustedProxies.isEmpty, isTrusted(peerAddress), let forwardedFor = forwardedFor() else { return peerAddress }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peerAddress
        for hop in hops.reversed() {
            guard IPNetwork.parseAddress(hop) != nil else { break }  // garbage ends the trusted chain
            client = hop
            if !isTrusted(hop) { break }
        }
        return client
    }

    /// Whether `address` is one of `TRUSTED_PROXIES`, whose forwarding headers are believed.
    public func isTrustedProxy(_ address: String) -> Bool {
        isTrusted(address)
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension HTTPField.Name {
    public static let forwardedFor = Self("X-Forwarded-For")!  // a valid token literal
    public static let rateLimitLimit = Self("RateLimit-Limit")!  // a valid token literal
    public static let rateLimitRemaining = Self("RateLimit-Remaining")!  // a valid token literal
    public static let rateLimitReset = Self("RateLimit-Reset")!  // a valid token literal
}
