import HTTPTypes
import NSCore
import Testing
@testable import NSNodes

/// `SESSION_SECRET_PREVIOUS`: while admin-node rolls to a new session secret, a browser's cookie
/// signed with the old one still names its session; new cookies are signed with the new one only.
@Suite("session cookie rotation")
struct SessionCookieRotationTests {
    static let old = Secret(String(repeating: "o", count: 64))
    static let new = Secret(String(repeating: "n", count: 64))
    static let id = String(repeating: "ab", count: 32)

    static func cookie(_ secret: Secret, previous: Secret? = nil) -> SessionCookie {
        SessionCookie(secret: secret, previous: previous, secure: true, lifetime: .seconds(3600))
    }

    static func fields(_ value: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.cookie] = "theme=dark; \(SessionCookie.name)=\(value)"
        return fields
    }

    @Test("a cookie signed with the previous secret is accepted during the rotation and refused after it")
    func previousAccepted() {
        let issuedBefore = Self.cookie(Self.old).value(for: Self.id)
        let rolling = Self.cookie(Self.new, previous: Self.old)
        #expect(rolling.id(in: Self.fields(issuedBefore)) == Self.id)
        #expect(Self.cookie(Self.new).id(in: Self.fields(issuedBefore)) == nil, "once SESSION_SECRET_PREVIOUS is removed")
    }

    @Test("new cookies are signed with the current secret only; a cookie under any other secret is refused")
    func issuesWithCurrent() {
        let rolling = Self.cookie(Self.new, previous: Self.old)
        let issued = rolling.value(for: Self.id)
        #expect(issued == Self.cookie(Self.new).value(for: Self.id))
        #expect(issued != Self.cookie(Self.old).value(for: Self.id))
        #expect(Self.cookie(Self.new).id(in: Self.fields(issued)) == Self.id)
        let stranger = Self.cookie(Secret(String(repeating: "x", count: 64))).value(for: Self.id)
        #expect(rolling.id(in: Self.fields(stranger)) == nil)
        #expect(rolling.id(in: Self.fields(Self.id + ".forged")) == nil)
    }
}
