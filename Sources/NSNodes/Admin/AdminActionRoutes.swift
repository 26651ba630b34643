import Foundation
import HTTPTypes
import Hummingbird
import NSCore

/// The form posts behind every button, and their JSON twins under `/api/`. A form without
/// `confirm=yes` only shows a confirmation page; with it (and the CSRF token) the action runs,
/// is audited, and the browser is sent back with a message.
struct AdminActionRoutes: Sendable {
    let admin: AdminContext

    func add(to router: some RouterMethods<NodeRequestContext>) {
        for action in AdminAction.all {
            router.post(RouterPath(stringLiteral: action.path)) { request, context in
                let form = try await AdminForm.read(request)
                let actor = try await admin.access.requireForm(action.role, request, context, form: form)
                guard form["confirm"] == "yes" else {
                    let fields = action.fields.compactMap { name in form[name].map { ["name": name, "value": $0] } }
                    return admin.pages.render("confirm", title: "Confirm", actor: actor, data: [
                        "label": action.label, "description": action.describe(form), "action": action.path, "fields": fields,
                        "back": Self.back(action.path),
                    ])
                }
                let message = try await admin.perform(action, actor: actor, form: form, requestID: context.requestID, context: context)
                let back = Self.back(action.path)
                let separator = back.contains("?") ? "&" : "?"
                let encoded = message.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return Response(status: .seeOther, headers: [.location: "\(back)\(separator)done=\(encoded)"])
            }
            router.post(RouterPath(stringLiteral: "/api" + action.path)) { request, context in
                let body = try await Self.jsonFields(request)
                let actor = try await admin.access.requireForm(action.role, request, context, form: body)
                let message = try await admin.perform(action, actor: actor, form: body, requestID: context.requestID, context: context)
                return JSONBody.response(["ok": true, "message": .string(message)])
            }
        }
    }

    /// The page an action returns to.
    static func back(_ path: String) -> String {
        if path.hasPrefix("/dlq") { return "/dlq" }
        if path.hasPrefix("/validators") { return "/validators" }
        if path.hasPrefix("/sessions") { return "/sessions" }
        return "/jobs"
    }

    /// A JSON object of scalar fields, as the form would carry them. A body over 64 KiB is 413 and
    /// another content type 415 (``JSONBody``); only a body that is not JSON is a bad request.
    static func jsonFields(_ request: Request) async throws -> AdminForm {
        let value: JSONValue
        do {
            value = try await JSONBody.read(request, limit: 64 * 1024)
        } catch is CanonicalJSONError {
            throw AdminError.badInput("the body must be a JSON object of strings and booleans")
        }
        guard let object = value.objectValue else { throw AdminError.badInput("the body must be a JSON object") }
        var fields: [String: String] = [:]
        for (name, field) in object {
            switch field {
            case .string(let text): fields[name] = text
            case .bool(let flag): fields[name] = flag ? "true" : "false"
            case .int(let number): fields[name] = String(number)
            default: throw AdminError.badInput("field \(name) must be a string, number or boolean")
            }
        }
        return AdminForm(fields: fields)
    }
}
