import NSCore
import Synchronization

/// Tokens whose signature has been verified, with their claims, so a client's next request with
/// the same token skips the header parsing, JSON decoding and HMAC. The claims are still checked
/// on every request (``TokenVerifier``'s time rules need the clock). Bounded: when full it is
/// emptied and refills from live traffic.
final class VerifiedTokens: Sendable {
    static let capacity = 10_000
    private let entries = Mutex<[String: TokenClaims]>([:])

    func claims(for token: String) -> TokenClaims? {
        entries.withLock { $0[token] }
    }

    func remember(_ token: String, claims: TokenClaims) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
