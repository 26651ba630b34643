import NSCore
import Testing

@Suite("dotenv parsing")
struct DotEnvFileTests {
    @Test("comments, export, quotes, inline comments and CRLF line ends")
    func parsesTheFormsComposeWrites() throws {
        let text = "# secrets\r\nexport JWT_SECRET=abc123\r\nCORS_ORIGIN=https://a.example, https://b.example # two\n"
            + "QUOTED=\"line one\\nline \\\"two\\\"\"\nLITERAL='$not \\n expanded'\n\nEMPTY=\n"
        let file = try DotEnvFile(parsing: text, path: ".env")
        #expect(file.values["JWT_SECRET"] == "abc123")
        #expect(file.values["CORS_ORIGIN"] == "https://a.example, https://b.example")
        #expect(file.values["QUOTED"] == "line one\nline \"two\"")
        #expect(file.values["LITERAL"] == "$not \\n expanded")
        #expect(file.values["EMPTY"] == "")
        #expect(file.lineNumbers["QUOTED"] == 4)
    }

    @Test("a later line for the same name wins")
    func laterLineWins() throws {
        let file = try DotEnvFile(parsing: "A=1\nA=2\n", path: ".env")
        #expect(file.values["A"] == "2")
    }

    @Test("malformed lines are named by file and line", arguments: [
        ("A=1\nno equals sign\n", ".env:2", "has no '='"),
        ("1BAD=x\n", ".env:1", "invalid name"),
        ("A=\"open\n", ".env:1", "unterminated"),
        ("A='x' trailing\n", ".env:1", "after the closing quote"),
    ])
    func rejectsMalformedLines(text: String, location: String, problem: String) {
        #expect {
            _ = try DotEnvFile(parsing: text, path: ".env")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variable == location && error.problem.contains(problem)
        }
    }
}
