import Foundation
import JSON

/// A person in the simulated group.
public struct SimUser: Sendable, Equatable {
    public var id: Int64
    public var username: String?
    public var firstName: String

    public init(id: Int64, username: String? = nil, firstName: String) {
        self.id = id
        self.username = username
        self.firstName = firstName
    }

    /// The Bot API `User` object.
    var json: JSONValue {
        .compact([
            "id": .int(id), "is_bot": false, "first_name": .string(firstName), "username": .from(username),
        ])
    }
}

/// A rate limit: at most `count` messages in any `per` seconds.
public struct SimRate: Sendable, Equatable {
    public var count: Int
    public var per: Double

    public init(count: Int, per: Double) {
        self.count = count
        self.per = per
    }

    /// Reads `N/duration`, e.g. `20/1m`, `30/1s`, `1/1.5s` (units `ms`, `s`, `m`, `h`; a bare number is seconds).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let count = Int(parts[0]), count > 0,
            let per = SimRate.seconds(parts[1]), per > 0
        else { return nil }
        self.init(count: count, per: per)
    }

    private static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            return Double(number.isEmpty ? "1" : String(number)).map { $0 * scale }
        }
        return Double(text)
    }

    var json: JSONValue { ["count": .int(Int64(count)), "per": .double(per)] }
}

/// How webhook updates leave the simulator.
public enum WebhookDelivery: Sendable {
    /// A background thread delivers due updates as soon as they are due (the HTTP server's choice).
    case backgroundThread
    /// Nothing is delivered until someone calls `BotSimulator.pumpWebhook()` (deterministic tests).
    case manual
}

/// Everything the simulator is built from.
public struct SimulatorConfig: Sendable {
    /// The bot token: requests must carry it in `/bot<token>/<method>`; its digits before `:` are the bot's id.
    public var token: String
    /// The group, a negative id such as `-1001234567890`.
    public var chatID: Int64
    public var chatTitle: String
    public var members: [SimUser]
    /// Messages the group takes (sends and edits); nil for no limit.
    public var chatRate: SimRate?
    /// Messages the bot sends in all; nil for no limit.
    public var globalRate: SimRate?
    /// Probability (0…1) that a send or edit is answered 500 `Internal Server Error` and does nothing.
    public var serverErrorRate: Double
    /// Seed of the random generator (callback query ids, fault injection, the first update id).
    public var seed: UInt64
    public var botUsername: String
    public var botFirstName: String
    /// When set, the group was upgraded from this basic-group id: sends to it answer 400 with `migrate_to_chat_id`.
    public var migratedFromChatID: Int64?
    /// Seconds a callback query may wait for `answerCallbackQuery`.
    public var callbackAnswerTimeout: Double
    public var webhookDelivery: WebhookDelivery

    public init(
        token: String, chatID: Int64, chatTitle: String = "On-call", members: [SimUser] = SimUser.sampleMembers,
        chatRate: SimRate? = nil, globalRate: SimRate? = nil, serverErrorRate: Double = 0, seed: UInt64 = 1,
        botUsername: String = "tocsin_bot", botFirstName: String = "Tocsin", migratedFromChatID: Int64? = nil,
        callbackAnswerTimeout: Double = 15, webhookDelivery: WebhookDelivery = .backgroundThread
    ) {
        self.token = token
        self.chatID = chatID
        self.chatTitle = chatTitle
        self.members = members
        self.chatRate = chatRate
        self.globalRate = globalRate
        self.serverErrorRate = serverErrorRate
        self.seed = seed
        self.botUsername = botUsername
        self.botFirstName = botFirstName
        self.migratedFromChatID = migratedFromChatID
        self.callbackAnswerTimeout = callbackAnswerTimeout
        self.webhookDelivery = webhookDelivery
    }

    /// The bot's user id: the digits before `:` in the token, or 1 when the token has none.
    public var botID: Int64 {
        Int64(token.split(separator: ":").first.map(String.init) ?? "") ?? 1
    }

    /// A config with Telegram's published limits (20 a minute per group, 30 a second per bot).
    public static func telegramLike(token: String, chatID: Int64, members: [SimUser] = SimUser.sampleMembers)
        -> SimulatorConfig
    {
        SimulatorConfig(
            token: token, chatID: chatID, members: members,
            chatRate: SimRate(count: 20, per: 60), globalRate: SimRate(count: 30, per: 1))
    }
}

// MARK: - Sample people

extension SimUser {
    /// The people of the specification's sample directory; Tang Sanzang has no username.
    public static let sampleMembers: [SimUser] = [
        SimUser(id: 100001, username: "wukong", firstName: "Sun Wukong"),
        SimUser(id: 100002, username: "bajie", firstName: "Zhu Bajie"),
        SimUser(id: 100003, username: nil, firstName: "Tang Sanzang"),
        SimUser(id: 100004, username: "wujing", firstName: "Sha Wujing"),
    ]

    /// Reads a members flag: entries `id:username:First Name` separated by commas; the username may be empty.
    ///
    /// `100001:wukong:Sun Wukong,100003::Tang Sanzang`. Returns nil when an entry is malformed.
    public static func parseList(_ text: String) -> [SimUser]? {
        var users: [SimUser] = []
        for entry in text.split(separator: ",") {
            let fields = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 1, let id = Int64(fields[0]) else { return nil }
            let username = fields.count > 1 && !fields[1].isEmpty ? fields[1] : nil
            let name = fields.count > 2 && !fields[2].isEmpty ? fields[2] : (username ?? "User \(id)")
            users.append(SimUser(id: id, username: username, firstName: name))
        }
        return users.isEmpty ? nil : users
    }
}
