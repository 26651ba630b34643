import AsyncHTTPClient
import Foundation
import NIOCore
import NSTestSupport
import Synchronization

/// A minimal browser for admin-node tests: keeps the session cookie, never follows redirects
/// (the tests assert on them), and posts forms the way the dashboard's pages do.
final class AdminClient: Sendable {
    struct Page: Sendable {
        let status: Int
        let headers: [String: String]
        let body: String

        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }

        /// The CSRF token of the first form on the page.
        var csrf: String? {
            guard let range = body.range(of: #"name="csrf" value="([0-9a-f]{64})""#, options: .regularExpression) else { return nil }
            return String(body[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }

    static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    let base: String
    private let cookieJar = Mutex<String?>(nil)

    init(base: String) {
        self.base = base
    }

    var cookie: String? {
        get { cookieJar.withLock { $0 } }
        set { cookieJar.withLock { $0 = newValue } }
    }

    func get(_ path: String, bearer: String? = nil) async throws -> Page {
        try await send("GET", path, body: nil, contentType: nil, bearer: bearer)
    }

    func post(_ path: String, form: [String: String], bearer: String? = nil) async throws -> Page {
        let encoded = form.sorted { $0.key < $1.key }.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return try await send("POST", path, body: Array(encoded.utf8), contentType: "application/x-www-form-urlencoded", bearer: bearer)
    }

    func postJSON(_ path: String, json: String, bearer: String? = nil) async throws -> Page {
        try await send("POST", path, body: Array(json.utf8), contentType: "application/json", bearer: bearer)
    }

    /// Signs in with `token`; returns the sign-in response (303 and a cookie when accepted).
    @discardableResult
    func signIn(token: String) async throws -> Page {
        let page = try await post("/login", form: ["token": token, "next": "/"])
        if let setCookie = page.headers["set-cookie"], let pair = setCookie.split(separator: ";").first { cookie = String(pair) }
        return page
    }

    private func send(_ method: String, _ path: String, body: [UInt8]?, contentType: String?, bearer: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await Self.http.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 8 * 1024 * 1024)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Page(status: Int(response.status.code), headers: headers, body: String(buffer: collected))
    }

    /// A token from the real `nsctl token create --admin`.
    static func token(role: String, sub: String, secret: String) async throws -> String {
        let minted = try await NSCtlRunner.run(["token", "create", "--admin", "--role", role, "--sub", sub], environment: ["ADMIN_JWT_SECRET": secret])
        guard minted.status == 0 else { throw ChildProcessError.notFound("a token: \(minted.stderr)") }
        return minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
