import AsyncHTTPClient
import NIOSSL
import NSCore
import Synchronization

/// What every https call to a node trusts: the system's roots plus the CA certificates of
/// `TLS_CA_FILE`. Verification is always on (there is no way to turn it off), and TLS 1.2 is the
/// least a client accepts.
///
/// Process-wide, because the clients that use it (``NodeClient/standard``, ``NodeClient/failFast``)
/// are: `nsd` and nsctl call ``install(caFile:)`` once they have read their settings, before the
/// first call to a node.
public enum NodeTrust {
    private struct State {
        var caFile: String?
        var roots: [NIOSSLCertificate] = []
        /// A client was made with the trust of the moment: a later, different install would not reach it.
        var handedOut = false
    }

    private static let state = Mutex(State())

    /// Trusts the certificates in `caFile` (PEM) besides the system roots; `nil` trusts the
    /// system roots alone. Throws naming `TLS_CA_FILE` when the file holds no PEM certificate.
    ///
    /// Installing again with the same file is harmless; installing another one after a client was
    /// made is a programming error (that client would keep the old trust), and stops the process.
    public static func install(caFile: String?) throws(ConfigurationError) {
        var roots: [NIOSSLCertificate] = []
        if let caFile {
            do {
                roots = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw ConfigurationError(variable: TLSSettings.caVariable, problem: "names \(caFile), which holds no readable PEM certificate",
                                         fix: "point it at the PEM file of the CA that signed the nodes' certificates")
            }
            guard !roots.isEmpty else {
                throw ConfigurationError(variable: TLSSettings.caVariable, problem: "names \(caFile), which holds no PEM certificate",
                                         fix: "point it at the PEM file of the CA that signed the nodes' certificates")
            }
        }
        state.withLock { state in
            guard state.caFile != caFile else { return }
            precondition(!state.handedOut, "NodeTrust.install(caFile:) after a node client was made: install it before the first call")
            state.caFile = caFile
            state.roots = roots
        }
    }

    /// The client TLS configuration of the trust installed now (called when a client is made).
    static func clientConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        let roots = state.withLock { state in
            state.handedOut = true
            return state.roots
        }
        if !roots.isEmpty { configuration.additionalTrustRoots = [.certificates(roots)] }
        return configuration
    }

    /// `base` with this trust; the caller adjusts its pool and timeouts.
    static func httpConfiguration(_ base: HTTPClient.Configuration = HTTPClient.Configuration()) -> HTTPClient.Configuration {
        var configuration = base
        configuration.tlsConfiguration = clientConfiguration()
        return configuration
    }
}
