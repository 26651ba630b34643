import Foundation
import NIOSSL
import NSCore

/// A certificate chain and its private key read from a node's ``TLSFiles``, checked usable
/// together: what a node presents to new TLS connections.
struct ServingCertificate: Sendable {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    /// The leaf certificate's not-after date, for the log line of a (re)load.
    var notAfter: Date { Date(timeIntervalSince1970: TimeInterval(chain[0].notValidAfter)) }

    /// The override applied to each new connection's handshake.
    var override: NIOSSLContextConfigurationOverride {
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        return override
    }

    /// Reads and checks the pair. The error names the variable whose file is at fault and never
    /// quotes the key.
    static func load(_ files: TLSFiles) throws(ConfigurationError) -> ServingCertificate {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath)
        } catch {
            throw ConfigurationError(variable: files.certificateVariable, problem: "names \(files.certificatePath), which is not a readable PEM certificate",
                                     fix: "point it at the PEM certificate chain, leaf first")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(variable: files.certificateVariable, problem: "names \(files.certificatePath), which holds no PEM certificate",
                                     fix: "point it at the PEM certificate chain, leaf first")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
        } catch {
            throw ConfigurationError(variable: files.keyVariable, problem: "names \(files.keyPath), which is not a readable PEM private key",
                                     fix: "point it at the unencrypted PEM private key of \(files.certificateVariable)")
        }
        let loaded = ServingCertificate(chain: chain, key: key)
        do {
            // Making a context checks that the key belongs to the leaf certificate.
            _ = try NIOSSLContext(configuration: loaded.configuration())
        } catch {
            throw ConfigurationError(variable: files.keyVariable, problem: "names \(files.keyPath), which is not the private key of the certificate in \(files.certificatePath)",
                                     fix: "point \(files.keyVariable) and \(files.certificateVariable) at a matching pair")
        }
        return loaded
    }

    /// A server configuration presenting this pair: TLS 1.2 at least, the peer not asked for a certificate.
    func configuration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // How long a closing connection waits for the peer's close_notify: NIOSSL's 5 s default
        // held every idle keep-alive connection, and with it shutdown, that long.
        configuration.shutdownTimeout = .seconds(1)
        return configuration
    }
}
