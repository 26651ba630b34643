import Foundation
import NSTestSupport
import Testing

/// The TLS variant `nsctl compose render` writes (docker-compose.tls.yml, prometheus.tls.yml):
/// checked by docker-compose and promtool, and read for what the variant promises.
@Suite("nsctl compose render: the TLS variant")
struct ComposeTLSRenderTests {
    static let tlsSecrets = ["tls_cert", "tls_key", "tls_ca"]

    @Test("docker-compose accepts it: only 443 (gateway) and 8443 (admin-node) published, certificates as secrets, nodes call each other over https")
    func composeFile() async throws {
        let compose = try ComposeRenderTests.tool("docker-compose")
        let folder = try await ComposeRenderTests.render()
        try ComposeRenderTests.writeDummySecrets(ComposeRenderTests.secretNames.map { $0.lowercased() } + Self.tlsSecrets, in: folder)
        let file = folder + "/docker-compose.tls.yml"
        let config = try await ComposeRenderTests.composeConfig(compose, file: file)
        let services = try #require(config["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == Set(ComposeRenderTests.services))

        var published: [String: [String]] = [:]
        for (name, service) in services {
            if let ports = service["ports"] as? [Any] { published[name] = ports.map { "\($0)" } }
        }
        #expect(Set(published.keys) == ["gateway-node", "admin-node"], "nothing else reaches the host: \(published)")
        #expect(published["gateway-node"]?.count == 1 && published["gateway-node"]?.first?.contains("443") == true
                && published["gateway-node"]?.first?.contains("8080") == true, "\(published)")
        #expect(published["admin-node"]?.first?.contains("8443") == true && published["admin-node"]?.first?.contains("3000") == true, "\(published)")

        for node in ComposeRenderTests.nodes {
            let service = try #require(services[node])
            let environment = service["environment"] as? [String: Any] ?? [:]
            #expect(environment["TLS_CERT_FILE"] as? String == "/run/secrets/tls_cert", "\(node)")
            #expect(environment["TLS_KEY_FILE"] as? String == "/run/secrets/tls_key", "\(node)")
            #expect(environment["TLS_CA_FILE"] as? String == "/run/secrets/tls_ca", "\(node)")
            let mounted = Set((service["secrets"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String })
            #expect(mounted.isSuperset(of: Self.tlsSecrets), "\(node): \(mounted)")
            for case (let key, let value as String) in environment where key.hasSuffix("_URL") && value.contains("-node") {
                #expect(value.hasPrefix("https://"), "\(node) \(key)=\(value)")
            }
            let check = ((service["healthcheck"] as? [String: Any])?["test"] as? [String])?.joined(separator: " ") ?? ""
            #expect(check.contains("--cacert /run/secrets/tls_ca https://\(node):"), "\(node): \(check)")
        }
        let prometheus = try #require(services["prometheus"])
        #expect((prometheus["volumes"] as? [Any])?.contains { "\($0)".contains("prometheus.tls.yml") } == true)
        let declared = Set((config["secrets"] as? [String: Any] ?? [:]).keys)
        #expect(declared.isSuperset(of: Self.tlsSecrets), "\(declared)")
    }

    @Test("promtool accepts prometheus.tls.yml, which scrapes every node over https against the CA")
    func prometheusConfig() async throws {
        let promtool = try ComposeRenderTests.tool("promtool")
        let text = try String(contentsOfFile: ComposeRenderTests.committed + "/prometheus.tls.yml", encoding: .utf8)
        #expect(text.components(separatedBy: "scheme: https").count - 1 == ComposeRenderTests.nodes.count, "every node, not Prometheus itself")
        // promtool opens the CA file: point the copy at a real one.
        let folder = try Tools.temporaryDirectory("prometheus-tls")
        let authority = try TestCertificateAuthority(name: "compose CA")
        try text.replacingOccurrences(of: "/run/secrets/tls_ca", with: authority.certificatePath)
            .write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        let result = try Tools.run(promtool, ["check", "config", folder + "/prometheus.yml"])
        #expect(result.status == 0, "\(result.output)")
    }
}
