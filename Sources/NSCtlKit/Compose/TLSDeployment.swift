import NSCore

/// The TLS variant of ``NeuroSwarmDeployment``: the same services, with every node serving HTTPS
/// from the certificate, key and CA mounted as compose secrets, node-to-node URLs in https,
/// health checks and Prometheus verifying against the CA, and only the gateway (443) and
/// admin-node (8443) published on the host.
///
/// One certificate serves every node, so it must name each service (`ns-node`, `gateway-node`,
/// `vp-node`, `admin-node`) besides the public host name clients use.
enum TLSDeployment {
    static let composeFileName = "docker-compose.tls.yml"
    static let prometheusFileName = "prometheus.tls.yml"
    /// Where the CA file is mounted in every container that calls a node.
    static let caPath = ComposeService.SecretMount.nsd(.tlsCA).path
    /// Host ports: the standard HTTPS port for clients, 8443 for the operators' dashboard.
    static let gatewayHostPort = 443
    static let adminHostPort = 8443

    static var services: [ComposeService] { NeuroSwarmDeployment.services.map(secured) }

    private static func secured(_ plain: ComposeService) -> ComposeService {
        var service = plain
        switch plain.role {
        case .some(let role):
            service.environment = plain.environment.map { setting in
                guard case .fixed(let value) = setting.value, value.hasPrefix("http://") else { return setting }
                return .fixed(setting.name, "https://" + value.dropFirst("http://".count))
            }
            service.secrets += [.nsd(.tlsCertificate), .nsd(.tlsKey), .nsd(.tlsCA)]
            service.health = .https(service: plain.name, port: role.defaultPort, path: "/health", caFile: caPath)
            switch role {
            case .gateway: service.port = .init(host: gatewayHostPort, container: role.defaultPort, isPublic: true)
            case .admin: service.port = .init(host: adminHostPort, container: role.defaultPort, isPublic: true)
            case .ns, .vp, .witness: service.publishesPort = false
            }
        case .none:
            service.publishesPort = false
            if plain.name == NeuroSwarmDeployment.prometheus.name {
                // Scrapes the nodes over https, verifying them against the CA.
                service = PrometheusConfig.reading(prometheusFileName, in: service)
                service.secrets = [.nsd(.tlsCA)]
            }
        }
        return service
    }
}
