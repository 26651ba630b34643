import Foundation

/// The certificate and key one node serves HTTPS with, and the variables that named them, so a
/// bad file found later (a PEM that does not parse, a key that does not match, a failed reload)
/// is reported against the variable the operator set.
public struct TLSFiles: Sendable, Equatable {
    public let certificatePath: String
    public let keyPath: String
    /// `TLS_CERT_FILE` or the node's own `GATEWAY_TLS_CERT_FILE`, ...
    public let certificateVariable: String
    public let keyVariable: String

    public init(certificatePath: String, keyPath: String, certificateVariable: String, keyVariable: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.certificateVariable = certificateVariable
        self.keyVariable = keyVariable
    }
}

/// `TLS_CERT_FILE` and `TLS_KEY_FILE` (every node of the process serves HTTPS), the per-node
/// `GATEWAY_TLS_CERT_FILE`/`GATEWAY_TLS_KEY_FILE`, `NS_…`, `VP_…`, `ADMIN_…` (that node uses its
/// own pair), and `TLS_CA_FILE`: what node-to-node calls and nsctl trust besides the system roots.
///
/// Loading checks that each pair is complete and its files readable; whether they hold a usable
/// certificate and key is checked by the node that serves them, before anything listens.
public struct TLSSettings: Sendable, Equatable {
    /// The roles that serve HTTPS, and with what; a role absent here serves plain HTTP.
    public var servers: [NodeRole: TLSFiles]
    /// `TLS_CA_FILE`: a PEM bundle of extra trust roots for https calls.
    public var caFile: String?

    public init(servers: [NodeRole: TLSFiles] = [:], caFile: String? = nil) {
        self.servers = servers
        self.caFile = caFile
    }

    /// The pair every node of the process uses unless it has its own.
    public static let sharedCertificateVariable = "TLS_CERT_FILE"
    public static let sharedKeyVariable = "TLS_KEY_FILE"
    public static let caVariable = "TLS_CA_FILE"

    /// `GATEWAY_TLS_CERT_FILE`, `NS_TLS_CERT_FILE`, ...: named like the node's port variable.
    public static func certificateVariable(for role: NodeRole) -> String { prefix(role) + sharedCertificateVariable }
    public static func keyVariable(for role: NodeRole) -> String { prefix(role) + sharedKeyVariable }

    /// `GATEWAY_`, from `GATEWAY_PORT`.
    private static func prefix(_ role: NodeRole) -> String { String(role.portVariable.dropLast("PORT".count)) }

    public static func load(roles: [NodeRole], source: ConfigurationSource) throws(ConfigurationError) -> TLSSettings {
        let shared = try pair(certificate: sharedCertificateVariable, key: sharedKeyVariable, source: source)
        var servers: [NodeRole: TLSFiles] = [:]
        for role in roles {
            let own = try pair(certificate: certificateVariable(for: role), key: keyVariable(for: role), source: source)
            if let files = own ?? shared { servers[role] = files }
        }
        return TLSSettings(servers: servers, caFile: try caFile(source: source))
    }

    /// `TLS_CA_FILE` when set, checked readable; nsctl reads it the same way.
    public static func caFile(source: ConfigurationSource) throws(ConfigurationError) -> String? {
        guard let path = source.string(caVariable) else { return nil }
        try requireReadable(path, variable: caVariable, holding: "the CA certificates (PEM)")
        return path
    }

    /// Both variables or neither; a half-set pair is refused rather than served without TLS.
    private static func pair(certificate: String, key: String, source: ConfigurationSource) throws(ConfigurationError) -> TLSFiles? {
        let certificatePath = source.string(certificate)
        let keyPath = source.string(key)
        switch (certificatePath, keyPath) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw ConfigurationError(variable: key, problem: "is not set while \(certificate) is", fix: "set both \(certificate) and \(key), or neither")
        case (nil, .some):
            throw ConfigurationError(variable: certificate, problem: "is not set while \(key) is", fix: "set both \(certificate) and \(key), or neither")
        case (.some(let certificatePath), .some(let keyPath)):
            try requireReadable(certificatePath, variable: certificate, holding: "the certificate chain (PEM)")
            try requireReadable(keyPath, variable: key, holding: "the private key (PEM)")
            return TLSFiles(certificatePath: certificatePath, keyPath: keyPath, certificateVariable: certificate, keyVariable: key)
        }
    }

    private static func requireReadable(_ path: String, variable: String, holding what: String) throws(ConfigurationError) {
        guard FileManager.default.isReadableFile(atPath: path), FileManager.default.contents(atPath: path) != nil else {
            throw ConfigurationError(variable: variable, problem: "names \(path), which cannot be read", fix: "point it at a readable file holding \(what)")
        }
    }
}
