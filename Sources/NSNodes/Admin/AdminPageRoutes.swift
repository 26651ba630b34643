import Foundation
import Hummingbird
import NSCore

/// The dashboard's pages (HTML) and their `/api/` twins (JSON), each behind the role it needs.
struct AdminPageRoutes: Sendable {
    let admin: AdminContext

    /// A page: its path, the role it needs, its template and title, and how its data is gathered.
    struct Page: Sendable {
        let path: String
        let role: OperatorRole
        let template: String
        let title: String
        let load: @Sendable (AdminData, AdminAccess.Actor, Request, NodeRequestContext) async throws -> JSONValue
    }

    static let pages: [Page] = [
        Page(path: "/", role: .viewer, template: "overview", title: "Overview") { data, actor, _, context in
            try await data.overview(actor, requestID: context.requestID)
        },
        Page(path: "/jobs", role: .viewer, template: "jobs", title: "Jobs") { data, actor, request, context in
            let query = request.uri.queryParameters
            return try await data.jobs(actor, id: query.get("id"), state: query.get("state"), requestID: context.requestID)
        },
        Page(path: "/dlq", role: .viewer, template: "dlq", title: "Dead letters") { data, actor, _, context in
            try await data.deadLetters(actor, requestID: context.requestID)
        },
        Page(path: "/chain", role: .viewer, template: "chain", title: "Chain") { data, _, _, context in
            try await data.chain(requestID: context.requestID)
        },
        Page(path: "/chain/blocks/{height}", role: .viewer, template: "block", title: "Block") { data, _, _, context in
            try await data.block(context.parameters.get("height") ?? "", requestID: context.requestID)
        },
        Page(path: "/chain/tx/{hash}", role: .viewer, template: "tx", title: "Transaction") { data, _, _, context in
            try await data.transaction(context.parameters.get("hash") ?? "", requestID: context.requestID)
        },
        Page(path: "/validators", role: .viewer, template: "validators", title: "Validators") { data, _, _, context in
            try await data.validators(requestID: context.requestID)
        },
        Page(path: "/audit", role: .viewer, template: "audit", title: "Audit log") { data, _, request, _ in
            let query = request.uri.queryParameters
            return try await data.audit(actor: query.get("actor"), action: query.get("action"))
        },
        Page(path: "/sessions", role: .admin, template: "sessions", title: "Sessions") { data, _, _, _ in
            try await data.sessions()
        },
    ]

    func add(to router: some RouterMethods<NodeRequestContext>) {
        let data = AdminData(admin: admin)
        for page in Self.pages {
            router.get(RouterPath(stringLiteral: page.path)) { request, context in
                let actor = try await admin.access.require(page.role, request, context)
                let json = try await page.load(data, actor, request, context)
                var values = Self.mustache(json) as? [String: Any] ?? [:]
                values["canAct"] = actor.role >= .operator
                values["canCancel"] = actor.role >= .operator
                values["canControl"] = actor.role >= .operator
                return admin.pages.render(page.template, title: page.title, actor: actor, data: values, flash: request.uri.queryParameters.get("done"))
            }
            router.get(RouterPath(stringLiteral: "/api" + (page.path == "/" ? "/overview" : page.path))) { request, context in
                let actor = try await admin.access.require(page.role, request, context)
                return JSONBody.response(try await page.load(data, actor, request, context))
            }
        }
    }

    /// JSON as the plain dictionaries, arrays and scalars Mustache walks.
    static func mustache(_ value: JSONValue) -> Any {
        switch value {
        case .object(let fields): fields.mapValues(mustache)
        case .array(let items): items.map(mustache)
        case .string(let text): text
        case .int(let number): number
        case .bool(let flag): flag
        case .null: NSNull()
        default: String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }
}
