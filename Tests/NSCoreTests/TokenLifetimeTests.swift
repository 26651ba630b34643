import NSCore
import Testing

@Suite("token lifetime: JWT_MAX_TTL and duration texts")
struct TokenLifetimeTests {
    func maximum(_ value: String?) throws(ConfigurationError) -> Duration {
        try ConfigurationSource(environment: value.map { [TokenLifetime.variable: $0] } ?? [:]).tokenMaxLifetime()
    }

    @Test("JWT_MAX_TTL defaults to 30 days and reads a duration or whole seconds")
    func reads() throws {
        #expect(try maximum(nil) == .seconds(30 * 86_400))
        #expect(try DaemonSettings.load(roles: [.gateway], source: ConfigurationSource()).tokenMaxLifetime == TokenLifetime.defaultMaximum)
        #expect(try DaemonSettings.load(roles: [.gateway], source: ConfigurationSource(environment: ["JWT_MAX_TTL": "7d"])).tokenMaxLifetime == .seconds(7 * 86_400))
        #expect(try maximum("12h") == .seconds(43_200))
        #expect(try maximum("3600") == .seconds(3_600))
        #expect(try maximum("90m") == .seconds(5_400))
        #expect(try maximum(" 60s ") == .seconds(60))
    }

    @Test("a JWT_MAX_TTL that is not a duration or out of range stops start-up naming the variable")
    func refuses() {
        for value in ["soon", "30x", "-5", "0", "59", "3651d", "99999999999999999999d"] {
            do {
                let accepted = try maximum(value)
                Issue.record("JWT_MAX_TTL=\(value) was accepted as \(accepted)")
            } catch {
                #expect(error.variable == "JWT_MAX_TTL" && error.description.contains("30d"), "\(error.description)")
            }
        }
    }

    @Test("duration texts: a positive number and s, m, h or d; formatted in the largest exact unit")
    func durationText() {
        #expect(DurationText.seconds("90s") == .success(90))
        #expect(DurationText.seconds("15m") == .success(900))
        #expect(DurationText.seconds("2h") == .success(7_200))
        #expect(DurationText.seconds("30d") == .success(2_592_000))
        #expect(DurationText.seconds("0d") == .failure(.notADuration))
        #expect(DurationText.seconds("d") == .failure(.notADuration))
        #expect(DurationText.seconds("5w") == .failure(.unknownUnit))
        #expect(DurationText.seconds("\(Int.max)d") == .failure(.notADuration), "overflow is not a duration")
        #expect(DurationText.format(seconds: 2_592_000) == "30d")
        #expect(DurationText.format(seconds: 5_400) == "90m")
        #expect(DurationText.format(seconds: 3_601) == "3601s")
        #expect(TokenLifetime.text(TokenLifetime.defaultMaximum) == "30d")
    }
}
