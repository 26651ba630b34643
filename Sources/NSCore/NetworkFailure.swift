/// Plain words for why a network call failed, shared by every client (node-to-node HTTP,
/// nsctl, Redis), so operators see the same phrase for the same problem. Never includes URLs,
/// which may carry credentials.
public enum NetworkFailure {
    /// The peer's certificate is not signed by a trusted CA or does not name the host called.
    public static let untrustedCertificate = "TLS certificate not trusted: set TLS_CA_FILE to the CA that signed it, and check it names this host"

    public static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("failedToValidateHostname") { return untrustedCertificate }
        if text.contains("handshakeFailed") || text.contains("WRONG_VERSION_NUMBER") { return "TLS handshake failed" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectTimeout") || text.contains("ConnectTimeout") { return "timed out connecting" }
        if text.contains("deadlineExceeded") || text.contains("Timeout") { return "timed out" }
        return "unreachable (\(type(of: error)))"
    }
}
