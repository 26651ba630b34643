/// A PostgreSQL connection URL in libpq's form, which several database hosts can share:
/// `postgres://user:password@h1:5432,h2:5432/db?sslmode=verify-full&sslrootcert=/ca.pem&target_session_attrs=read-write`.
///
/// Foundation's `URL` cannot hold a host list, so the URL is parsed here. User, password and
/// database are percent-decoded; a host without a port uses 5432; `postgresql://` works too. The
/// password is kept as a ``Secret``, and no error (``DatabaseURLError``) ever quotes it.
/// Parameters libpq knows but nsd does not apply are refused rather than ignored, so a URL never
/// promises a setting that is not in force.
public struct DatabaseURL: Sendable, Equatable {
    /// One database host, in the order the URL lists them.
    public struct Host: Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let port: Int

        public init(name: String, port: Int = DatabaseURL.defaultPort) {
            self.name = name
            self.port = port
        }

        /// `name:port`, with an IPv6 address in brackets.
        public var description: String { name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)" }
    }

    /// libpq's `sslmode` values nsd supports.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS or no connection, without checking the certificate.
        case require
        /// TLS, the certificate checked against `sslrootcert` (or the system's roots) and the host name.
        case verifyFull = "verify-full"
    }

    /// Which host to use, libpq's `target_session_attrs`.
    public enum TargetSessionAttributes: String, Sendable, CaseIterable {
        /// The one host that takes writes (a primary, not in recovery, not read-only): what the ledger needs.
        case readWrite = "read-write"
        /// The first host that answers.
        case any
    }

    public static let defaultPort = 5432
    /// The query parameters nsd applies; any other is refused.
    public static let supportedParameters = ["sslmode", "sslrootcert", "target_session_attrs", "connect_timeout", "application_name"]

    public let hosts: [Host]
    public let user: String
    public let password: Secret?
    public let database: String
    public let sslMode: SSLMode
    /// The CA certificate file (PEM) a `verify-full` connection trusts.
    public let sslRootCert: String?
    public let targetSessionAttributes: TargetSessionAttributes
    /// How long to wait for a host to connect and answer; nil when the URL sets none (or 0).
    public let connectTimeout: Duration?
    public let applicationName: String?

    /// Parses `text`; see the type's documentation for the form.
    public init(parsing text: String) throws(DatabaseURLError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard let scheme = ["postgres://", "postgresql://"].first(where: { rest.lowercased().hasPrefix($0) }) else {
            throw .scheme
        }
        rest = rest.dropFirst(scheme.count)
        let query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        } else {
            query = nil
        }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).dropFirst()
        // A password with an unencoded "/" or "?" would otherwise end up in the path or query,
        // where an error message might quote it.
        guard authority.contains("@") || !text.contains("@") else { throw .unencodedUserInfo }

        var hostList = authority
        var user = ""
        var password: Secret?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostList = authority[authority.index(after: at)...]
            let userPart = userInfo.prefix { $0 != ":" }
            user = try Self.decode(userPart, part: "the user name")
            if userPart.count < userInfo.count {
                password = Secret(try Self.decode(userInfo.dropFirst(userPart.count + 1), part: "the password"))
            }
        }
        guard !user.isEmpty else { throw .noUser }
        self.user = user
        self.password = password
        hosts = try hostList.split(separator: ",", omittingEmptySubsequences: false).map { entry throws(DatabaseURLError) in try Self.host(entry) }
        let database = try Self.decode(path, part: "the database name")
        self.database = database.isEmpty ? user : database  // libpq's default: the user's name

        let parameters = try Self.parameters(query)
        sslMode = try parameters["sslmode"].map { value throws(DatabaseURLError) in
            guard let mode = SSLMode(rawValue: value) else {
                throw .badValue(parameter: "sslmode", value: value, expected: SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return mode
        } ?? .prefer
        sslRootCert = parameters["sslrootcert"]
        if sslRootCert != nil, sslMode != .verifyFull {
            throw .badValue(parameter: "sslrootcert", value: sslRootCert ?? "", expected: "only with sslmode=verify-full, which checks the certificate against it")
        }
        targetSessionAttributes = try parameters["target_session_attrs"].map { value throws(DatabaseURLError) in
            guard let attributes = TargetSessionAttributes(rawValue: value) else {
                throw .badValue(parameter: "target_session_attrs", value: value,
                                expected: TargetSessionAttributes.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return attributes
        } ?? .readWrite
        connectTimeout = try parameters["connect_timeout"].flatMap { value throws(DatabaseURLError) in
            guard let seconds = Int(value), seconds >= 0 else {
                throw .badValue(parameter: "connect_timeout", value: value, expected: "whole seconds, 0 for the default")
            }
            return seconds == 0 ? nil : .seconds(seconds)
        }
        applicationName = parameters["application_name"]
    }

    /// The URL without its password, for logs and error messages.
    public var redacted: String {
        let query = [("sslmode", sslMode.rawValue), ("target_session_attrs", targetSessionAttributes.rawValue)]
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return "postgres://\(user)@\(hosts.map(\.description).joined(separator: ","))/\(database)?\(query)"
    }

    private static func host(_ entry: Substring) throws(DatabaseURLError) -> Host {
        var name: Substring
        var portText: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw .badHost(String(entry)) }
            name = entry[entry.index(after: entry.startIndex)..<close]
            let after = entry[entry.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badHost(String(entry)) }
                portText = after.dropFirst()
            }
        } else if let colon = entry.lastIndex(of: ":") {
            name = entry[..<colon]
            portText = entry[entry.index(after: colon)...]
        } else {
            name = entry
        }
        guard !name.isEmpty else { throw .noHost }
        let decoded = try decode(name, part: "a host name")
        guard let portText else { return Host(name: decoded) }
        guard let port = Int(portText), (1...65_535).contains(port) else { throw .badPort(host: decoded, port: String(portText)) }
        return Host(name: decoded, port: port)
    }

    private static func parameters(_ query: Substring?) throws(DatabaseURLError) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in query?.split(separator: "&") ?? [] {
            let key = pair.prefix { $0 != "=" }
            let name = try decode(key, part: "a parameter name")
            guard supportedParameters.contains(name) else { throw .unsupportedParameter(name) }
            guard parameters[name] == nil else { throw .repeatedParameter(name) }
            parameters[name] = try decode(pair.dropFirst(key.count + 1), part: "the value of \(name)")
        }
        return parameters
    }

    /// Percent-decodes `text` as UTF-8; `part` names it in the error, which never quotes it.
    private static func decode(_ text: Substring, part: String) throws(DatabaseURLError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                throw .badEncoding(part)
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .badEncoding(part) }
        return decoded
    }
}

/// Why a `DATABASE_URL` could not be used. The text names the problem and never contains the
/// password (nor the whole URL, which would).
public enum DatabaseURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case scheme
    case unencodedUserInfo
    case noUser
    case noHost
    case badHost(String)
    case badPort(host: String, port: String)
    case badEncoding(String)
    case unsupportedParameter(String)
    case repeatedParameter(String)
    case badValue(parameter: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .scheme: "must start with postgres:// or postgresql://"
        case .unencodedUserInfo: "has a \"/\" or \"?\" before its \"@\": percent-encode those characters in the user name and password (%2F, %3F)"
        case .noUser: "names no user: write postgres://USER:PASSWORD@HOST:5432/DATABASE"
        case .noHost: "has an empty host: list hosts as HOST:PORT separated by commas"
        case .badHost(let host): "has a malformed host \"\(host)\": write an IPv6 address as [ADDRESS]:PORT"
        case .badPort(let host, let port): "gives host \(host) the port \"\(port)\", which is not a number from 1 to 65535"
        case .badEncoding(let part): "has a malformed percent-encoding in \(part): encode each reserved byte as %XX"
        case .unsupportedParameter(let name):
            "has the parameter \"\(name)\", which nsd does not apply; supported: \(DatabaseURL.supportedParameters.joined(separator: ", "))"
        case .repeatedParameter(let name): "sets \(name) twice"
        case .badValue(let parameter, let value, let expected): "has \(parameter)=\(value); expected \(expected)"
        }
    }
}
