import Foundation

/// Tocsin's configuration, read from the environment (SPEC §3) in one place and validated when built.
public struct Config: Sendable {
    public enum UpdateMode: String, Sendable { case polling, webhook }

    public var redisURL: String
    public var databaseURL: String
    public var keyPrefix: String
    public var listen: String
    public var webhookToken: String?
    public var escalationTimeout: Double
    public var serviceLabels: [String]
    public var botToken: String
    public var chatID: Int64
    public var telegramAPIURL: String
    public var updates: UpdateMode
    public var webhookSecret: String?
    public var chatRate: Rate
    public var globalRate: Rate
    /// Where a worker serves `/metrics` (`TOCSIN_METRICS_LISTEN`); nil for none.
    public var metricsListen: String?
    /// How long a job may stay with a worker before another takes it over (`TOCSIN_JOB_LEASE`).
    public var jobLease: Double
    /// Silence of Alertmanager's Watchdog heartbeat that pages level 3 (`TOCSIN_WATCHDOG_TIMEOUT`).
    public var watchdogTimeout: Double
    /// Job loops per worker process (`TOCSIN_WORKER_THREADS`).
    public var workerThreads: Int
    public var logLevel: String
    public var logFormat: String
    /// Public base URL of the ingest, used to register the Telegram webhook (`TOCSIN_PUBLIC_URL`).
    public var publicURL: String?

    /// Reads `environment`; throws the first invalid or missing variable. `requireTelegram` is false for
    /// commands that never talk to Telegram (`migrate`, `directory`, `queue`, `incidents`).
    public init(environment: [String: String], requireTelegram: Bool = true) throws(ConfigError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        func duration(_ name: String, _ fallback: String) throws(ConfigError) -> Double {
            let text = value(name) ?? fallback
            guard let seconds = Duration.seconds(text) else {
                throw ConfigError(variable: name, reason: "'\(text)' is not a duration (like 90s, 5m, 1h, 1.5s)")
            }
            return seconds
        }
        func rate(_ name: String, _ fallback: String) throws(ConfigError) -> Rate {
            let text = value(name) ?? fallback
            guard let rate = Rate(text) else {
                throw ConfigError(variable: name, reason: "'\(text)' is not a rate (like 20/1m)")
            }
            return rate
        }

        redisURL = value("TOCSIN_REDIS_URL") ?? "redis://127.0.0.1:6379/0"
        guard redisURL.hasPrefix("redis://") else {
            throw ConfigError(variable: "TOCSIN_REDIS_URL", reason: "must start with redis://")
        }
        databaseURL = value("TOCSIN_DATABASE_URL") ?? "postgresql://tocsin@127.0.0.1:5432/tocsin"
        keyPrefix = value("TOCSIN_KEY_PREFIX") ?? "tocsin"
        guard !keyPrefix.contains(where: { $0 == "{" || $0 == "}" || $0 == " " }) else {
            throw ConfigError(variable: "TOCSIN_KEY_PREFIX", reason: "must not contain braces or spaces")
        }
        listen = value("TOCSIN_LISTEN") ?? "127.0.0.1:9087"
        guard listen.contains(":") else {
            throw ConfigError(variable: "TOCSIN_LISTEN", reason: "'\(listen)' is not host:port")
        }
        webhookToken = value("TOCSIN_WEBHOOK_TOKEN")
        escalationTimeout = try duration("TOCSIN_ESCALATION_TIMEOUT", "5m")
        serviceLabels = (value("TOCSIN_SERVICE_LABELS") ?? "service,instance")
            .split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !serviceLabels.isEmpty else {
            throw ConfigError(variable: "TOCSIN_SERVICE_LABELS", reason: "names no label")
        }
        botToken = value("TELEGRAM_BOT_TOKEN") ?? ""
        let chatText = value("TELEGRAM_CHAT_ID")
        if requireTelegram {
            guard !botToken.isEmpty else { throw ConfigError(variable: "TELEGRAM_BOT_TOKEN", reason: "is required") }
            guard chatText != nil else { throw ConfigError(variable: "TELEGRAM_CHAT_ID", reason: "is required") }
            guard !botToken.contains(where: { $0 == "/" || $0 == " " || $0 == "?" }) else {
                throw ConfigError(variable: "TELEGRAM_BOT_TOKEN", reason: "has characters a bot token never has")
            }
        }
        guard chatText == nil || Int64(chatText!) != nil else {
            throw ConfigError(variable: "TELEGRAM_CHAT_ID", reason: "'\(chatText!)' is not a numeric chat id")
        }
        chatID = chatText.flatMap { Int64($0) } ?? 0
        telegramAPIURL = value("TELEGRAM_API_URL") ?? "https://api.telegram.org"
        while telegramAPIURL.hasSuffix("/") { telegramAPIURL.removeLast() }
        guard telegramAPIURL.hasPrefix("http://") || telegramAPIURL.hasPrefix("https://") else {
            throw ConfigError(variable: "TELEGRAM_API_URL", reason: "must be an http(s) URL")
        }
        let modeText = value("TELEGRAM_UPDATES") ?? "polling"
        guard let mode = UpdateMode(rawValue: modeText) else {
            throw ConfigError(variable: "TELEGRAM_UPDATES", reason: "'\(modeText)' is neither polling nor webhook")
        }
        updates = mode
        webhookSecret = value("TELEGRAM_WEBHOOK_SECRET")
        if let secret = webhookSecret {
            let allowed = secret.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
            guard allowed, (1...256).contains(secret.count) else {
                throw ConfigError(variable: "TELEGRAM_WEBHOOK_SECRET", reason: "must be 1-256 of A-Z a-z 0-9 _ -")
            }
        }
        chatRate = try rate("TELEGRAM_CHAT_RATE", "20/1m")
        globalRate = try rate("TELEGRAM_GLOBAL_RATE", "30/1s")
        metricsListen = value("TOCSIN_METRICS_LISTEN")
        jobLease = try duration("TOCSIN_JOB_LEASE", "30s")
        watchdogTimeout = try duration("TOCSIN_WATCHDOG_TIMEOUT", "10m")
        let threadsText = value("TOCSIN_WORKER_THREADS") ?? "2"
        guard let threads = Int(threadsText), (1...64).contains(threads) else {
            throw ConfigError(variable: "TOCSIN_WORKER_THREADS", reason: "'\(threadsText)' is not 1-64")
        }
        workerThreads = threads
        logLevel = value("TOCSIN_LOG_LEVEL") ?? "info"
        logFormat = value("TOCSIN_LOG_FORMAT") ?? "logfmt"
        guard ["debug", "info", "warn", "warning", "error"].contains(logLevel) else {
            throw ConfigError(variable: "TOCSIN_LOG_LEVEL", reason: "'\(logLevel)' is not debug, info, warn or error")
        }
        guard ["logfmt", "json"].contains(logFormat) else {
            throw ConfigError(variable: "TOCSIN_LOG_FORMAT", reason: "'\(logFormat)' is neither logfmt nor json")
        }
        publicURL = value("TOCSIN_PUBLIC_URL")
    }

    /// The configuration as `name=value` pairs for the start-up log, secrets masked.
    public var masked: [(String, String)] {
        [
            ("redis_url", Self.maskURL(redisURL)), ("database_url", Self.maskURL(databaseURL)),
            ("key_prefix", keyPrefix), ("listen", listen),
            ("webhook_token", webhookToken == nil ? "unset" : "***"),
            ("escalation_timeout", Duration.format(escalationTimeout)),
            ("service_labels", serviceLabels.joined(separator: ",")),
            ("bot_token", botToken.isEmpty ? "unset" : "***"), ("chat_id", String(chatID)),
            ("telegram_api_url", telegramAPIURL), ("updates", updates.rawValue),
            ("webhook_secret", webhookSecret == nil ? "unset" : "***"),
            ("chat_rate", chatRate.description), ("global_rate", globalRate.description),
        ]
    }

    /// A URL with any password replaced by `***`.
    public static func maskURL(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].lastIndex(of: "@") else {
            return url.contains("password=") ? "***" : url
        }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// An invalid configuration variable, said in one line.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable): \(reason)" }
}
