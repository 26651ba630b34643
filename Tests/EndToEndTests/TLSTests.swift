import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import NSTestSupport
import Testing

/// nsd serving HTTPS with certificates a test CA issued (made with the openssl command line):
/// every node answers over TLS, the gateway speaks HTTP/2, plain HTTP and TLS 1.1 get no answer,
/// nsctl and the nodes themselves verify against TLS_CA_FILE, and SIGHUP swaps the certificate.
@Suite("TLS")
struct TLSTests {
    /// A CA, a server certificate for 127.0.0.1/localhost, and the environment that serves it on every node.
    struct Setup {
        let authority: TestCertificateAuthority
        let server: TestCertificateAuthority.Issued
        var environment: [String: String] {
            ["TLS_CERT_FILE": server.certificatePath, "TLS_KEY_FILE": server.keyPath, "TLS_CA_FILE": authority.certificatePath,
             "JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": AdminTests.adminSecret]
        }

        init() throws {
            authority = try TestCertificateAuthority(name: "NeuroSwarm test CA")
            server = try authority.issueServer(serial: 0xA1)
        }
    }

    static func https(_ nsd: NSDInstance, _ service: String, _ path: String = "") -> String {
        "https://127.0.0.1:\(nsd.ports[service] ?? 0)\(path)"
    }

    /// Sends `nsd` SIGHUP and returns its first log line with `message` (the reload's outcome).
    static func reload(_ nsd: NSDInstance, logging message: String) async throws -> [String: Any] {
        nsd.child.signal(SIGHUP)
        try await nsd.child.waitForOutput(timeout: .seconds(10)) { lines in lines.contains { $0.contains(message) } }
        return try #require(nsd.child.stdoutLines.compactMap(LogLine.parse).first { $0["message"] as? String == message })
    }

    /// An HTTP client trusting `authority` besides the system roots, never following a redirect
    /// (the tests assert on them); shut down by the caller.
    static func client(trusting authority: String) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.additionalTrustRoots = [.file(authority)]
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
    }

    @Test("every node answers /health over HTTPS; the gateway negotiates HTTP/2; plain HTTP and TLS 1.1 get no HTTP answer")
    func everyNodeServesHTTPS() async throws {
        let setup = try Setup()
        let nsd = try await NSDInstance(environment: setup.environment)
        let client = Self.client(trusting: setup.authority.certificatePath)
        for service in ["ns-node", "vp-node", "gateway-node", "admin-node"] {
            let response = try await client.execute(HTTPClientRequest(url: Self.https(nsd, service, "/health")), timeout: .seconds(30))
            #expect(response.status.code == 200, "\(service)")
            #expect(response.version.major == (service == "gateway-node" ? 2 : 1), "\(service) answered HTTP/\(response.version.major)")
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        // Served over HTTPS by admin-node itself, a development session cookie is Secure too.
        var signIn = HTTPClientRequest(url: Self.https(nsd, "admin-node", "/login"))
        signIn.method = .POST
        signIn.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let operatorToken = try await AdminClient.token(role: "operator", sub: "alice", secret: AdminTests.adminSecret)
        signIn.body = .bytes(Array("token=\(operatorToken)".utf8))
        let signedIn = try await client.execute(signIn, timeout: .seconds(30))
        let cookie = signedIn.headers.first(name: "set-cookie") ?? ""
        #expect(signedIn.status == .seeOther && cookie.hasPrefix("ns_session="), "\(signedIn.status) \(cookie)")
        #expect(cookie.contains("; Secure"), "a cookie admin-node sets over its own HTTPS is Secure: \(cookie)")
        try await client.shutdown()

        let curl = try Tools.run(try Tools.which("curl"), ["--http2", "-sS", "--cacert", setup.authority.certificatePath, "-o", "/dev/null",
                                                         "-w", "%{http_version}", Self.https(nsd, "gateway-node", "/health")])
        #expect(curl.status == 0 && curl.output == "2", "curl: \(curl.output)")

        for service in ["ns-node", "gateway-node", "admin-node"] {
            await #expect(throws: (any Error).self, "plain HTTP to \(service)'s TLS port gets no HTTP answer") {
                _ = try await Fetched.get(nsd.url(service, "/health"))
            }
        }

        // OpenSSL 3 disables TLS 1.1 at its default security level: level 0 lets the client offer it.
        let old = try Tools.run("/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:\(nsd.ports["gateway-node"] ?? 0) -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1"])
        #expect(old.status != 0, "\(old.output)")
        #expect(!old.output.contains("no protocols available"), "the client must have offered TLS 1.1: \(old.output)")
        #expect(old.output.contains("alert protocol version") || old.output.contains("unsupported protocol"), "\(old.output)")
        let current = try Tools.run("/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:\(nsd.ports["gateway-node"] ?? 0) -tls1_2 </dev/null 2>&1"])
        #expect(current.output.contains("Protocol  : TLSv1.2"), "TLS 1.2 is accepted: \(current.output)")
        #expect(await nsd.stop() == 0)
    }

    @Test("an all-in-one nsd over HTTPS pipelines a submission gateway -> vp -> ns; nsctl trusts TLS_CA_FILE and refuses another CA in one line")
    func pipelineAndNSCtlTrust() async throws {
        let setup = try Setup()
        let nsd = try await NSDInstance(environment: setup.environment)
        let token = ClientToken.make(sub: "alice")
        let client = Self.client(trusting: setup.authority.certificatePath)
        defer { Task { try await client.shutdown() } }
        var submit = HTTPClientRequest(url: Self.https(nsd, "gateway-node", "/api/submit"))
        submit.method = .POST
        submit.headers.add(name: "Content-Type", value: "application/json")
        submit.headers.add(name: "Authorization", value: "Bearer \(token)")
        submit.body = .bytes(Array(#"{"content":"sent over https end to end"}"#.utf8))
        let accepted = try await client.execute(submit, timeout: .seconds(30))
        let body = try await accepted.body.collect(upTo: 1 << 20)
        let id = try #require(LogLine.parse(String(buffer: body))?["id"] as? String, "\(accepted.status) \(String(buffer: body))")
        var ledgerStatus: String?
        let deadline = ContinuousClock.now + .seconds(30)
        while ledgerStatus != "committed" && ContinuousClock.now < deadline {
            var status = HTTPClientRequest(url: Self.https(nsd, "gateway-node", "/api/status/\(id)"))
            status.headers.add(name: "Authorization", value: "Bearer \(token)")
            let answer = try await client.execute(status, timeout: .seconds(30))
            let json = LogLine.parse(String(buffer: try await answer.body.collect(upTo: 1 << 20)))
            ledgerStatus = (json?["ledger"] as? [String: Any])?["status"] as? String
            if ledgerStatus != "committed" { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ledgerStatus == "committed", "vp-node leased the job over https and ns-node committed it")

        let folder = try Tools.temporaryDirectory("nsctl-tls")
        var environment = ["GATEWAY_URL": Self.https(nsd, "gateway-node"), "NS_NODE_URL": Self.https(nsd, "ns-node"),
                           "VP_URL": Self.https(nsd, "vp-node"), "ADMIN_URL": Self.https(nsd, "admin-node"),
                           "TLS_CA_FILE": setup.authority.certificatePath]
        let trusted = try await NSCtlRunner.run(["health"], environment: environment, directory: folder)
        #expect(trusted.status == 0, "\(trusted.stdout)\(trusted.stderr)")

        let stranger = try TestCertificateAuthority(name: "another CA")
        environment["TLS_CA_FILE"] = stranger.certificatePath
        let refused = try await NSCtlRunner.run(["health", "--service", "ns"], environment: environment, directory: folder)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.hasPrefix("NEUROSWARM CRITICAL - ns-node down (TLS certificate not trusted"), "\(refused.stdout)")
        let chain = try await NSCtlRunner.run(["chain", "verify"], environment: environment, directory: folder)
        #expect(chain.status != 0)
        #expect(chain.stderr.split(separator: "\n").count == 1, "one line: \(chain.stderr)")
        #expect(chain.stderr.contains("TLS certificate not trusted: set TLS_CA_FILE"), "\(chain.stderr)")
        environment["TLS_CA_FILE"] = nil
        let systemRootsOnly = try await NSCtlRunner.run(["health", "--service", "ns"], environment: environment, directory: folder)
        #expect(systemRootsOnly.status == 2, "a private CA is not among the system roots: \(systemRootsOnly.stdout)")
        #expect(await nsd.stop() == 0)
    }

    @Test("SIGHUP: a connection opened before keeps working, new connections get the new certificate; a bad file keeps the old one")
    func reload() async throws {
        let setup = try Setup()
        let nsd = try await NSDInstance(roles: ["ns"], environment: setup.environment)
        let port = try #require(nsd.ports["ns-node"])
        let first = try TestCertificateAuthority.servedSerial(port: port)
        #expect(first == setup.server.serial)

        // Opened before the reload, used after it.
        let open = try OpenTLSConnection(port: port, authority: setup.authority.certificatePath)
        defer { open.close() }
        try await open.waitFor("Verify return code: 0")

        let renewed = try setup.authority.issueServer(label: "renewed", serial: 0xB2)
        try Self.replace(setup.server, with: renewed)
        let reloaded = try await Self.reload(nsd, logging: "TLS certificate reloaded")
        #expect((reloaded["notAfter"] as? String)?.hasPrefix("20") == true, "the line names the not-after date: \(reloaded)")
        let afterReload = try TestCertificateAuthority.servedSerial(port: port)
        #expect(afterReload == renewed.serial, "a new connection sees the new certificate")

        open.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        try await open.waitFor("HTTP/1.1 200")
        let original = try String(contentsOfFile: Self.originalCopy(setup.server), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(open.output.contains(original), "the connection opened before the reload kept the certificate it started with")

        try "not a certificate\n".write(toFile: setup.server.certificatePath, atomically: true, encoding: .utf8)
        let failed = try await Self.reload(nsd, logging: "TLS certificate reload failed")
        #expect((failed["reason"] as? String)?.contains("TLS_CERT_FILE") == true, "\(failed)")
        let afterFailure = try TestCertificateAuthority.servedSerial(port: port)
        #expect(afterFailure == renewed.serial, "the last good certificate is still served")
        let metrics = try await Fetched.getTrusting(setup.authority.certificatePath, Self.https(nsd, "ns-node", "/metrics"))
        #expect(metrics.contains(#"ns_internal_errors_total{node="ns-node",operation="tls_reload"} 1"#), "counted")
        #expect(nsd.child.isRunning)
        #expect(await nsd.stop() == 0)
    }

    @Test("a pair that cannot be served stops nsd before it listens: exit 78, one line naming the variable")
    func badFilesExit78() async throws {
        let setup = try Setup()
        let other = try setup.authority.issueServer(label: "other", serial: 0xC3)
        let folder = try Tools.temporaryDirectory("tls-bad")
        let garbage = folder + "/garbage.pem"
        try "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let cases: [([String: String], String)] = [
            (["TLS_CERT_FILE": setup.server.certificatePath], "TLS_KEY_FILE is not set while TLS_CERT_FILE is"),
            (["TLS_CERT_FILE": garbage, "TLS_KEY_FILE": setup.server.keyPath], "TLS_CERT_FILE names \(garbage), which is not a readable PEM certificate"),
            (["TLS_CERT_FILE": setup.server.certificatePath, "TLS_KEY_FILE": setup.server.certificatePath], "TLS_KEY_FILE names \(setup.server.certificatePath), which is not a readable PEM private key"),
            (["TLS_CERT_FILE": setup.server.certificatePath, "TLS_KEY_FILE": other.keyPath], "TLS_KEY_FILE names \(other.keyPath), which is not the private key"),
            (["GATEWAY_TLS_CERT_FILE": setup.server.certificatePath, "GATEWAY_TLS_KEY_FILE": "/nonexistent/key.pem"], "GATEWAY_TLS_KEY_FILE names /nonexistent/key.pem, which cannot be read"),
            (["TLS_CA_FILE": garbage], "TLS_CA_FILE names \(garbage), which holds no readable PEM certificate"),
        ]
        for (environment, message) in cases {
            let outcome = try await ConfigurationErrorTests().run([], environment: environment)
            #expect(outcome.status == 78, "\(environment): \(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("nsd: configuration error: \(message)") == true, "\(outcome.stderr)")
        }
    }

    /// Copies the certificate aside (to compare later), then writes `renewed` over the files nsd was started with.
    static func replace(_ server: TestCertificateAuthority.Issued, with renewed: TestCertificateAuthority.Issued) throws {
        try? FileManager.default.removeItem(atPath: originalCopy(server))  // absent on the first call: nothing to remove
        try FileManager.default.copyItem(atPath: server.certificatePath, toPath: originalCopy(server))
        for (from, to) in [(renewed.certificatePath, server.certificatePath), (renewed.keyPath, server.keyPath)] {
            try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to), options: .atomic)
        }
    }

    static func originalCopy(_ server: TestCertificateAuthority.Issued) -> String { server.certificatePath + ".original" }
}

extension Fetched {
    /// The body of a GET over https trusting `authority`.
    static func getTrusting(_ authority: String, _ url: String) async throws -> String {
        let client = TLSTests.client(trusting: authority)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 8 << 20))
            try await client.shutdown()
            return body
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}
