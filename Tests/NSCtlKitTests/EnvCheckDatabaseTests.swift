import NSCore
import Testing
@testable import NSCtlKit

/// `nsctl env check` reports a `DATABASE_URL` nsd would refuse, in nsd's words and without the password.
@Suite("nsctl env check: DATABASE_URL")
struct EnvCheckDatabaseTests {
    @Test("a malformed DATABASE_URL is one problem naming it; a good one is none")
    func malformed() {
        let problems = EnvAudit.problems(in: DotEnvFile(values: ["DATABASE_URL": "mysql://nsd:s3cret-pw@db/ledger"]), path: ".env")
        let problem = problems.first { $0.variable == "DATABASE_URL" }
        #expect(problem?.problem == "must start with postgres:// or postgresql://", "\(problems)")
        #expect(!"\(problems)".contains("s3cret-pw"))
        let good = EnvAudit.problems(in: DotEnvFile(values: ["DATABASE_URL": "postgres://nsd:s3cret-pw@db:5432/ledger"]), path: ".env")
        #expect(!good.contains { $0.variable.hasPrefix("DATABASE_") }, "\(good)")
    }
}
