import Testing
@testable import NSNodes

/// The seeds' secret-name check: reading a secret's variable is refused, mentioning one is not.
@Suite("Secret reference scan")
struct SecretReferenceScanTests {
    @Test("reading a secret's variable through the environment is found, in each language's way", arguments: [
        ("import os\nprint(os.environ['JWT_SECRET'])", "JWT_SECRET"),
        ("import os\nos.environ.get(\"INTERNAL_TOKEN\")", "INTERNAL_TOKEN"),
        ("from os import getenv\nx = getenv('DB_PASSWORD_FILE')", "DB_PASSWORD"),
        ("echo $SESSION_SECRET", "SESSION_SECRET"),
        ("echo \"${ADMIN_JWT_SECRET:-none}\"", "ADMIN_JWT_SECRET"),
        ("printenv REDIS_URL", "REDIS_URL"),
        ("console.log(process.env.JWT_SECRET_PREVIOUS)", "JWT_SECRET"),
        ("puts ENV['AWS_SECRET_ACCESS_KEY']", "AWS_SECRET_ACCESS_KEY"),
        ("let v = std::env::var(\"NS_SIGNING_KEY\");", "NS_SIGNING_KEY"),
        ("cat \"$WITNESS_SIGNING_KEY_FILE\"", "WITNESS_SIGNING_KEY"),
    ])
    func reads(snippet: String, name: String) {
        #expect(SecretReferenceScan.environmentRead(in: snippet) == name)
    }

    @Test("a mention that reads nothing runs, and is recorded", arguments: [
        ("# rotate jwt_secret monthly\nprint(1)", ["JWT_SECRET"]),
        ("print('set JWT_SECRET in .env')", ["JWT_SECRET"]),
        ("echo $db_password_file", ["DB_PASSWORD"]),
        ("JWT_SECRET = 3\nprint(JWT_SECRET)", ["JWT_SECRET"]),
        ("my_jwt_secret_helper = 1", []),
        ("print('nothing here')", []),
    ])
    func mentions(snippet: String, expected: [String]) {
        #expect(SecretReferenceScan.environmentRead(in: snippet) == nil)
        #expect(SecretReferenceScan.mentions(in: snippet) == expected)
    }
}
