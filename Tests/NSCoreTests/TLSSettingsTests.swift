import Foundation
import NSCore
import NSTestSupport
import Testing

/// `TLS_CERT_FILE`/`TLS_KEY_FILE`, their per-node forms and `TLS_CA_FILE`: which nodes serve
/// HTTPS with which files, and the start-up errors of a half-set pair or an unreadable file.
@Suite("TLS settings")
struct TLSSettingsTests {
    /// Two readable placeholder files (the PEM contents are checked by the node that serves them).
    static func files() throws -> (certificate: String, key: String, other: String) {
        let folder = try Tools.temporaryDirectory("tls-settings")
        for name in ["cert.pem", "key.pem", "other.pem"] { try "placeholder\n".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return (folder + "/cert.pem", folder + "/key.pem", folder + "/other.pem")
    }

    func load(_ environment: [String: String], roles: Set<NodeRole> = NodeRole.pipeline) throws(ConfigurationError) -> TLSSettings {
        try DaemonSettings.load(roles: roles, source: ConfigurationSource(environment: environment)).tls
    }

    @Test("no TLS variable: every node serves plain HTTP and https calls trust the system roots alone")
    func none() throws {
        let settings = try load([:])
        #expect(settings.servers.isEmpty)
        #expect(settings.caFile == nil)
    }

    @Test("TLS_CERT_FILE and TLS_KEY_FILE cover every node of the process; a node's own pair overrides them")
    func sharedAndPerNode() throws {
        let (certificate, key, other) = try Self.files()
        let settings = try load(["TLS_CERT_FILE": certificate, "TLS_KEY_FILE": key,
                                 "GATEWAY_TLS_CERT_FILE": other, "GATEWAY_TLS_KEY_FILE": key, "TLS_CA_FILE": other])
        #expect(Set(settings.servers.keys) == NodeRole.pipeline)
        #expect(settings.servers[.ns] == TLSFiles(certificatePath: certificate, keyPath: key, certificateVariable: "TLS_CERT_FILE", keyVariable: "TLS_KEY_FILE"))
        #expect(settings.servers[.gateway] == TLSFiles(certificatePath: other, keyPath: key,
                                                       certificateVariable: "GATEWAY_TLS_CERT_FILE", keyVariable: "GATEWAY_TLS_KEY_FILE"))
        #expect(settings.caFile == other)
        #expect([NodeRole.gateway, .ns, .vp, .admin].map(TLSSettings.certificateVariable(for:))
            == ["GATEWAY_TLS_CERT_FILE", "NS_TLS_CERT_FILE", "VP_TLS_CERT_FILE", "ADMIN_TLS_CERT_FILE"])

        let adminOnly = try load(["ADMIN_TLS_CERT_FILE": certificate, "ADMIN_TLS_KEY_FILE": key])
        #expect(Array(adminOnly.servers.keys) == [.admin], "only the node given a pair serves HTTPS")
    }

    @Test("one of a pair without the other stops start-up, naming the missing variable")
    func halfPair() throws {
        let (certificate, key, _) = try Self.files()
        #expect(throws: ConfigurationError(variable: "TLS_KEY_FILE", problem: "is not set while TLS_CERT_FILE is",
                                           fix: "set both TLS_CERT_FILE and TLS_KEY_FILE, or neither")) {
            try load(["TLS_CERT_FILE": certificate])
        }
        #expect(throws: ConfigurationError(variable: "VP_TLS_CERT_FILE", problem: "is not set while VP_TLS_KEY_FILE is",
                                           fix: "set both VP_TLS_CERT_FILE and VP_TLS_KEY_FILE, or neither")) {
            try load(["TLS_CERT_FILE": certificate, "TLS_KEY_FILE": key, "VP_TLS_KEY_FILE": key])
        }
    }

    @Test("a file that cannot be read stops start-up, naming the variable and the path; exit status 78")
    func unreadable() throws {
        let (certificate, _, _) = try Self.files()
        let missing = "/nonexistent/tls/key.pem"
        do {
            _ = try load(["TLS_CERT_FILE": certificate, "TLS_KEY_FILE": missing])
            Issue.record("a missing key file was accepted")
        } catch {
            #expect(error.variable == "TLS_KEY_FILE")
            #expect(error.description == "configuration error: TLS_KEY_FILE names \(missing), which cannot be read; point it at a readable file holding the private key (PEM)")
        }
        #expect(ConfigurationError.exitCode == 78)
        #expect(throws: ConfigurationError.self) { try load(["TLS_CA_FILE": "/nonexistent/ca.pem"]) }
        do {
            _ = try load(["TLS_CA_FILE": "/nonexistent/ca.pem"])
        } catch {
            #expect(error.variable == "TLS_CA_FILE")
        }
    }
}
