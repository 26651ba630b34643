import Foundation
import Logging
import NIOSSL
import NSCore
import Synchronization

/// The certificate one node serves, replaceable while it runs.
///
/// The node's TLS configuration carries an `sslContextCallback` that hands each new connection's
/// handshake the pair current at that moment, so ``reload()`` changes what new connections see
/// while connections already open keep theirs and finish; the listener is never closed.
final class CertificateStore: Sendable {
    let role: NodeRole
    let files: TLSFiles
    private let current: Mutex<ServingCertificate>

    /// Loads the pair now: a bad file stops start-up with a ``ConfigurationError``.
    init(role: NodeRole, files: TLSFiles) throws(ConfigurationError) {
        self.role = role
        self.files = files
        current = Mutex(try ServingCertificate.load(files))
    }

    /// The pair new connections get now.
    var serving: ServingCertificate { current.withLock { $0 } }

    /// Reads the files again and serves them to new connections. On failure the pair served so
    /// far stays, and the error says which variable's file is at fault.
    @discardableResult
    func reload() throws(ConfigurationError) -> ServingCertificate {
        let loaded = try ServingCertificate.load(files)
        current.withLock { $0 = loaded }
        return loaded
    }

    /// The server configuration to listen with: the pair loaded at start-up, overridden on every
    /// handshake by the pair current then.
    func serverConfiguration() -> TLSConfiguration {
        var configuration = serving.configuration()
        configuration.sslContextCallback = { [self] _, promise in
            promise.succeed(serving.override)
        }
        return configuration
    }
}
