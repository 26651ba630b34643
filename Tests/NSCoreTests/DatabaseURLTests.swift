import NSCore
import Testing

/// `DATABASE_URL` in libpq's form: host lists, percent-encoded credentials, the parameters nsd
/// applies, and errors that name the problem without ever quoting the password.
@Suite("DATABASE_URL")
struct DatabaseURLTests {
    @Test("a host list with ports, percent-decoded credentials and every supported parameter")
    func full() throws {
        let url = try DatabaseURL(parsing: "postgres://ns%20user:p%40ss%3Aw%2Frd@db1.internal:5433,db2.internal,[::1]:6000/ledger%2Dmain"
            + "?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&target_session_attrs=any&connect_timeout=3&application_name=nsd%20ns-node")
        #expect(url.hosts == [.init(name: "db1.internal", port: 5433), .init(name: "db2.internal", port: 5432), .init(name: "::1", port: 6000)])
        #expect(url.hosts.map(\.description) == ["db1.internal:5433", "db2.internal:5432", "[::1]:6000"])
        #expect(url.user == "ns user")
        #expect(url.password?.reveal() == "p@ss:w/rd")
        #expect(url.database == "ledger-main")
        #expect(url.sslMode == .verifyFull)
        #expect(url.sslRootCert == "/etc/ca.pem")
        #expect(url.targetSessionAttributes == .any)
        #expect(url.connectTimeout == .seconds(3))
        #expect(url.applicationName == "nsd ns-node")
        #expect(!url.redacted.contains("p@ss"))
        #expect(url.redacted == "postgres://ns user@db1.internal:5433,db2.internal:5432,[::1]:6000/ledger-main?sslmode=verify-full&target_session_attrs=any")
    }

    @Test("postgresql:// works; defaults: port 5432, sslmode=prefer, read-write, no timeout, the user's name as the database")
    func defaults() throws {
        let url = try DatabaseURL(parsing: "postgresql://neuroswarm:secret@localhost")
        #expect(url.hosts == [.init(name: "localhost", port: 5432)])
        #expect(url.database == "neuroswarm")
        #expect(url.sslMode == .prefer)
        #expect(url.sslRootCert == nil)
        #expect(url.targetSessionAttributes == .readWrite)
        #expect(url.connectTimeout == nil)
        #expect(url.applicationName == nil)
        #expect(try DatabaseURL(parsing: "postgres://u@h/db?connect_timeout=0").connectTimeout == nil)
        #expect(try DatabaseURL(parsing: "postgres://u@h/db").password == nil)
        let printed = String(describing: try DatabaseURL(parsing: "postgres://u:hunter2secret@h/db"))
        #expect(!printed.contains("hunter2secret"))
    }

    @Test("each malformed URL is refused with the problem named", arguments: [
        ("mysql://u:pw@h/db", DatabaseURLError.scheme),
        ("postgres://h:5432/db", .noUser),
        ("postgres://:pw@h/db", .noUser),
        ("postgres://u:pw@/db", .noHost),
        ("postgres://u:pw@h1,,h2/db", .noHost),
        ("postgres://u:pw@h:0/db", .badPort(host: "h", port: "0")),
        ("postgres://u:pw@h:54x/db", .badPort(host: "h", port: "54x")),
        ("postgres://u:pw@[::1/db", .badHost("[::1")),
        ("postgres://u:pw@h/d%zzb", .badEncoding("the database name")),
        ("postgres://u:pw@h/db?sslcert=/c.pem", .unsupportedParameter("sslcert")),
        ("postgres://u:pw@h/db?sslmode=disable&sslmode=require", .repeatedParameter("sslmode")),
        ("postgres://u:pw@h/db?sslmode=verify-ca", .badValue(parameter: "sslmode", value: "verify-ca", expected: "disable, prefer, require, verify-full")),
        ("postgres://u:pw@h/db?sslmode=require&sslrootcert=/ca.pem",
         .badValue(parameter: "sslrootcert", value: "/ca.pem", expected: "only with sslmode=verify-full, which checks the certificate against it")),
        ("postgres://u:pw@h/db?target_session_attrs=standby", .badValue(parameter: "target_session_attrs", value: "standby", expected: "read-write, any")),
        ("postgres://u:pw@h/db?connect_timeout=-1", .badValue(parameter: "connect_timeout", value: "-1", expected: "whole seconds, 0 for the default")),
    ])
    func refused(text: String, expected: DatabaseURLError) {
        #expect(throws: expected) { try DatabaseURL(parsing: text) }
    }

    @Test("no error quotes the password, however malformed the URL around it", arguments: [
        "postgres://u:Sup3rS3cret@h:99999/db",
        "postgres://u:Sup3rS3cret@h:5432,h2:abc/db",
        "postgres://u:Sup3r?S3cret@h/db",
        "postgres://u:Sup3r/S3cret@h/db",
        "postgres://u:Sup3r%zzS3cret@h/db",
        "postgres://u:Sup3r@S3cret@/db",
        "postgres://u:Sup3rS3cret@h/db?sslmode=none",
    ])
    func passwordNeverQuoted(text: String) throws {
        let error = try #require(throws: DatabaseURLError.self) { try DatabaseURL(parsing: text) }
        #expect(!error.description.contains("S3cret"), "\(error)")
        #expect(!error.description.contains("Sup3r"), "\(error)")
    }
}
