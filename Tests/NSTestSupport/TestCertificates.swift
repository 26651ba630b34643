import Foundation

/// A certificate authority made by a test with the `openssl` command line, and the server
/// certificates it signs: real PEM files, as an operator's CA or ACME client would leave them.
/// Each lives two days in a fresh temporary folder; keys are P-256, unencrypted.
public struct TestCertificateAuthority: Sendable {
    /// A server certificate and its key, issued by this authority.
    public struct Issued: Sendable {
        public let certificatePath: String
        public let keyPath: String
        /// The serial number given at issue, as `openssl x509 -noout -serial` prints it (`serial=…`).
        public let serial: String
    }

    public let directory: String
    /// The authority's own certificate: what a client given `TLS_CA_FILE` trusts.
    public let certificatePath: String
    private let keyPath: String

    /// Makes a self-signed CA named `name`.
    public init(name: String) throws {
        directory = try Tools.temporaryDirectory("test-ca")
        certificatePath = directory + "/ca.pem"
        keyPath = directory + "/ca.key"
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", keyPath, "-out", certificatePath, "-days", "2", "-subj", "/CN=\(name)",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// Issues a server certificate for 127.0.0.1, ::1 and localhost (subject alternative names)
    /// with serial number `serial` (hexadecimal), written as `label.pem` and `label.key`.
    public func issueServer(label: String = "server", serial: UInt64) throws -> Issued {
        let certificate = directory + "/\(label).pem"
        let key = directory + "/\(label).key"
        let request = directory + "/\(label).csr"
        let extensions = directory + "/\(label).ext"
        try """
            subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", request, "-subj", "/CN=localhost"])
        let hex = String(serial, radix: 16, uppercase: true)
        try Self.openssl(["x509", "-req", "-in", request, "-CA", certificatePath, "-CAkey", keyPath, "-set_serial", "0x" + hex,
                          "-days", "2", "-extfile", extensions, "-out", certificate])
        return Issued(certificatePath: certificate, keyPath: key, serial: "serial=" + (hex.count % 2 == 1 ? "0" + hex : hex))
    }

    /// The serial number of the certificate a TLS server at `host:port` presents to a new
    /// connection (`serial=…`), read with `openssl s_client`; `nil` when no handshake completed.
    public static func servedSerial(host: String = "127.0.0.1", port: Int) throws -> String? {
        let shell = "openssl s_client -connect \(host):\(port) -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -serial"
        let result = try Tools.run("/bin/sh", ["-c", shell])
        let line = result.output.split(separator: "\n").first { $0.hasPrefix("serial=") }
        return result.status == 0 ? line.map(String.init) : nil
    }

    /// Runs `openssl` with `arguments`, throwing its output when it fails.
    @discardableResult
    public static func openssl(_ arguments: [String]) throws -> String {
        let result = try Tools.run(try Tools.which("openssl"), arguments)
        guard result.status == 0 else { throw OpenSSLFailure(command: arguments.first ?? "", output: result.output) }
        return result.output
    }
}

/// An `openssl` command that exited non-zero, with what it printed.
public struct OpenSSLFailure: Error, CustomStringConvertible {
    public let command: String
    public let output: String
    public var description: String { "openssl \(command) failed: \(output)" }
}
