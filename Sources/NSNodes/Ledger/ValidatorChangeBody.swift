import NSCore
import NSLedger

/// The body of `POST /v1/validators`, checked field by field so a 422 names every bad field by
/// JSON pointer, the way `POST /tx` does:
///
///     {"action": "add", "name": "vp-2", "publicKey": "<base64 Ed25519>", "requestedBy": "alice"}
///     {"action": "remove", "id": "<validator id>", "requestedBy": "alice"}
///
/// Fields of the other action are refused rather than ignored: a removal that carries a
/// `publicKey` was probably meant to name that key, and guessing would remove the wrong one.
struct ValidatorChangeBody: Sendable, Equatable {
    static let maxNameLength = 64
    static let maxRequesterLength = 256

    let request: ValidatorChange.Request
    let requestedBy: String

    init(_ body: JSONValue) throws(NodeError) {
        guard let fields = body.objectValue else {
            throw .invalidFields([.init(pointer: "/", detail: "must be a JSON object")])
        }
        var errors: [ProblemDetails.FieldError] = []
        func fail(_ field: String, _ detail: String) { errors.append(.init(pointer: "/" + field, detail: detail)) }

        let action = fields["action"]?.stringValue.flatMap(ValidatorChange.Action.init(rawValue:))
        if action == nil { fail("action", #"must be "add" or "remove""#) }
        let requestedBy = fields["requestedBy"]?.stringValue ?? ""
        if requestedBy.isEmpty || requestedBy.count > Self.maxRequesterLength || requestedBy.unicodeScalars.contains(where: Self.isControl) {
            fail("requestedBy", "must be 1 to \(Self.maxRequesterLength) characters without control characters: who asked for the change")
        }
        let allowed: Set<String> = switch action {
        case .add: ["action", "name", "publicKey", "requestedBy"]
        case .remove: ["action", "id", "requestedBy"]
        case nil: ["action", "name", "publicKey", "id", "requestedBy"]
        }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            fail(key, action.map { "is not a field of a validator \($0.rawValue)" } ?? "is not a field of a validator change")
        }

        var request: ValidatorChange.Request?
        switch action {
        case .add:
            let name = fields["name"]?.stringValue ?? ""
            if !(1...Self.maxNameLength).contains(name.utf8.count) || !name.utf8.allSatisfy(Self.isNameByte) {
                fail("name", "must be 1 to \(Self.maxNameLength) of A-Z a-z 0-9 _ . -")
            }
            let key = fields["publicKey"]?.stringValue.flatMap(LedgerPublicKey.init(base64:))
            if key == nil { fail("publicKey", "must be the base64 of a raw 32-byte Ed25519 public key") }
            if let key, errors.isEmpty { request = .add(Validator(name: name, publicKey: key)) }
        case .remove:
            let id = fields["id"]?.stringValue ?? ""
            if !Hex.isLowercase(id, byteCount: 8) { fail("id", "must be a validator id: 16 lowercase hex digits, as GET /v1/validators lists it") }
            if errors.isEmpty { request = .remove(id: id) }
        case nil:
            break
        }
        guard errors.isEmpty, let request else { throw .invalidFields(errors) }
        self.request = request
        self.requestedBy = requestedBy
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"): true
        default: false
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }
}
