import Foundation
import Logging
import NSCore
import ServiceLifecycle
import UnixSignals

/// Reloads every HTTPS node's certificate and key when `nsd` gets SIGHUP, as ACME clients expect
/// after a renewal: new connections get the new pair, open connections finish with the old one,
/// and the listeners stay open throughout.
///
/// A pair that fails to load (missing file, bad PEM, key of another certificate) leaves the old
/// one served, and is logged and counted in `ns_internal_errors_total{operation="tls_reload"}`.
struct CertificateReloader: Service {
    let stores: [CertificateStore]
    let signals: UnixSignalsSequence
    /// The HTTPS nodes' counters, each counting its own failed reload.
    let internalErrors: [NodeRole: InternalErrors]
    let logger: Logger

    func run() async {
        for await _ in signals.cancelOnGracefulShutdown() {
            reloadAll()
        }
    }

    /// One pass over every store; one failing does not keep the others from reloading.
    func reloadAll() {
        for store in stores {
            let metadata: Logger.Metadata = ["node": .string(store.role.serviceName), "certificate": .string(store.files.certificatePath)]
            do {
                let loaded = try store.reload()
                logger.info("TLS certificate reloaded", metadata: metadata.merging(["notAfter": .string(loaded.notAfter.ISO8601Format())]) { $1 })
            } catch {
                internalErrors[store.role]?.record(.tlsReload, reason: "\(error.description); the previous certificate is still served",
                                                   metadata: metadata, logger: logger)
            }
        }
    }
}

extension InternalErrors.Operation {
    /// A SIGHUP found a certificate or key that cannot be served; every one is logged.
    static let tlsReload = Self(label: "tls_reload", message: "TLS certificate reload failed", level: .error, throttled: false)
}
