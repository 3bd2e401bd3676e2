import Testing

@testable import Models

@Suite struct ConfigTests {
    let minimal = ["TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_CHAT_ID": "-1001"]

    @Test func defaultsFollowTheContract() throws {
        let config = try Config(environment: minimal)
        #expect(config.redisURL == "redis://127.0.0.1:6379/0")
        #expect(config.databaseURL == "postgresql://tocsin@127.0.0.1:5432/tocsin")
        #expect(config.keyPrefix == "tocsin")
        #expect(config.listen == "127.0.0.1:9087")
        #expect(config.escalationTimeout == 300)
        #expect(config.serviceLabels == ["service", "instance"])
        #expect(config.telegramAPIURL == "https://api.telegram.org")
        #expect(config.updates == .polling)
        #expect(config.chatRate == Rate(count: 20, period: 60))
        #expect(config.globalRate == Rate(count: 30, period: 1))
    }

    @Test(arguments: [
        ("TOCSIN_ESCALATION_TIMEOUT", "5 minutes"), ("TELEGRAM_CHAT_RATE", "fast"), ("TELEGRAM_UPDATES", "push"),
        ("TELEGRAM_CHAT_ID", "the-group"), ("TOCSIN_REDIS_URL", "localhost"), ("TELEGRAM_WEBHOOK_SECRET", "a b"),
        ("TOCSIN_KEY_PREFIX", "{x}"), ("TELEGRAM_API_URL", "ftp://x"),
    ])
    func invalidValuesNameTheirVariable(name: String, value: String) {
        var environment = minimal
        environment[name] = value
        #expect(throws: ConfigError.self) { try Config(environment: environment) }
        do {
            _ = try Config(environment: environment)
        } catch {
            #expect(error.variable == name)
            #expect(error.description.hasPrefix(name + ": "))
        }
    }

    @Test func telegramIsRequiredOnlyWhenAsked() throws {
        #expect(throws: ConfigError(variable: "TELEGRAM_BOT_TOKEN", reason: "is required")) {
            try Config(environment: [:])
        }
        _ = try Config(environment: [:], requireTelegram: false)
    }

    @Test func maskedConfigurationHidesSecrets() throws {
        var environment = minimal
        environment["TOCSIN_WEBHOOK_TOKEN"] = "s3cret-token"
        environment["TOCSIN_DATABASE_URL"] = "postgresql://tocsin:pw123@db/tocsin"
        let text = try Config(environment: environment).masked.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        #expect(!text.contains("s3cret-token"))
        #expect(!text.contains("123:abc"))
        #expect(!text.contains("pw123"))
        #expect(text.contains("postgresql://tocsin:***@db/tocsin"))
    }

    @Test(arguments: [("90s", 90.0), ("5m", 300), ("1h", 3600), ("1.5s", 1.5), ("250ms", 0.25), ("1h30m", 5400)])
    func durationsParse(text: String, seconds: Double) {
        #expect(Duration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "5", "m", "-5m", "5 minutes", "0s", "1x"])
    func nonDurationsAreRefused(text: String) {
        #expect(Duration.seconds(text) == nil)
    }

    @Test func durationsPrintShort() {
        #expect(Duration.format(300) == "5m")
        #expect(Duration.format(90) == "1m30s")
        #expect(Duration.format(1.5) == "1.5s")
        #expect(Duration.format(3600) == "1h")
    }
}
