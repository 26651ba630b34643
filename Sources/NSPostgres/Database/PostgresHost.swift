import Foundation
import Logging
import NIOCore
import NIOSSL
import NSCore
import PostgresNIO

/// One database host of the URL: its connection pool, and the settings a one-off probe
/// connection uses to ask whether it takes writes.
struct PostgresHost: Sendable {
    let address: DatabaseURL.Host
    let client: PostgresClient
    let probe: PostgresConnection.Configuration

    /// The startup parameters every connection sends: its name in `pg_stat_activity`, and
    /// `synchronous_commit=on`, so a commit returns only once it is durable (on a synchronous
    /// standby too, when the cluster has one), whatever the server's default.
    static func startupParameters(applicationName: String) -> [(String, String)] {
        [("application_name", applicationName), ("synchronous_commit", "on")]
    }

    init(address: DatabaseURL.Host, url: DatabaseURL, tls: PostgresTLS, settings: PostgresDatabase.Settings, logger: Logger) {
        self.address = address
        let parameters = Self.startupParameters(applicationName: url.applicationName ?? settings.applicationName)
        let connectTimeout = url.connectTimeout ?? settings.timeout
        var configuration = PostgresClient.Configuration(host: address.name, port: address.port, username: url.user,
                                                         password: url.password?.reveal(), database: url.database, tls: tls.client)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = parameters
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.tlsServerName = tls.verifiesHost ? address.name : nil
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)

        var probe = PostgresConnection.Configuration(host: address.name, port: address.port, username: url.user,
                                                     password: url.password?.reveal(), database: url.database, tls: tls.probe)
        probe.options.connectTimeout = TimeAmount(connectTimeout)
        probe.options.additionalStartupParameters = parameters
        probe.options.tlsServerName = tls.verifiesHost ? address.name : nil
        self.probe = probe
    }
}

/// The TLS settings `sslmode` asks for, for the pools and for probe connections.
struct PostgresTLS: Sendable {
    let client: PostgresClient.Configuration.TLS
    let probe: PostgresConnection.Configuration.TLS
    let verifiesHost: Bool

    /// `disable`: plain; `prefer`/`require`: TLS without checking the certificate (libpq's
    /// meaning); `verify-full`: the certificate must chain to `sslrootcert` (else the system's
    /// roots) and name the host.
    init(_ url: DatabaseURL) throws(ConfigurationError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        verifiesHost = url.sslMode == .verifyFull
        if url.sslMode == .verifyFull {
            configuration.certificateVerification = .fullVerification
            if let path = url.sslRootCert {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
                } catch {
                    throw ConfigurationError(variable: "DATABASE_URL", problem: "names sslrootcert \(path), which is not a readable PEM certificate file",
                                             fix: "point sslrootcert at the CA certificate that signed the database server's certificate")
                }
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "asks for TLS (sslmode=\(url.sslMode.rawValue)), which could not be set up: \(error)",
                                     fix: "check sslrootcert, or use sslmode=disable on a trusted network")
        }
        switch url.sslMode {
        case .disable:
            client = .disable
            probe = .disable
        case .prefer:
            client = .prefer(configuration)
            probe = .prefer(context)
        case .require, .verifyFull:
            client = .require(configuration)
            probe = .require(context)
        }
    }
}
