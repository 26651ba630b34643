import HTTPTypes
import Hummingbird
import Mustache

/// Renders dashboard pages: a page template inside the layout (navigation, the signed-in user,
/// the sign-out form), as `text/html` with headers that keep the page from being framed,
/// sniffed, cached or fed scripts from anywhere.
struct AdminPages: Sendable {
    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        let templates: [(String, String)] = [
            ("layout", AdminTemplates.layout), ("login", AdminTemplates.login), ("error", AdminTemplates.error),
            ("confirm", AdminTemplates.confirm), ("overview", AdminTemplates.overview), ("jobs", AdminTemplates.jobs),
            ("dlq", AdminTemplates.deadLetters), ("chain", AdminTemplates.chain), ("block", AdminTemplates.block),
            ("tx", AdminTemplates.transaction), ("validators", AdminTemplates.validators), ("audit", AdminTemplates.audit),
            ("sessions", AdminTemplates.sessions),
        ]
        for (name, text) in templates {
            try! library.register(text, named: name)  // force: a parse error here is a bug in AdminTemplates, caught by every admin test
        }
        self.library = library
    }

    /// The page `template` with `data`, wrapped in the layout for `actor` (nil on the sign-in page).
    func render(_ template: String, title: String, actor: AdminAccess.Actor?, data: [String: Any], flash: String? = nil,
                status: HTTPResponse.Status = .ok) -> Response {
        var context = data
        if let actor {
            context["csrf"] = actor.session?.csrf ?? ""
            context["isAdmin"] = actor.role == .admin
        }
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body]
        if let flash { layout["flash"] = flash }
        if let actor {
            layout["user"] = ["subject": actor.subject, "role": actor.role.rawValue, "csrf": actor.session?.csrf ?? "",
                              "isAdmin": actor.role == .admin] as [String: Any]
        }
        return Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    func error(_ error: AdminError) -> Response {
        var response = render("error", title: error.title, actor: nil, data: ["title": error.title, "detail": error.detail], status: error.status)
        response.headers.append(contentsOf: error.headers)
        return response
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",  // a valid token literal
            HTTPField.Name("Referrer-Policy")!: "same-origin",  // a valid token literal
        ]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
