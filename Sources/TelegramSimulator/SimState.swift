import JSON

/// Everything the simulator remembers, guarded by one mutex in `BotSimulator`.
struct SimState: Sendable {
    var chatRate: SimRate?
    var globalRate: SimRate?
    var serverErrorRate: Double
    var random: SimRandom

    /// The group's messages; a message's id is its index plus one.
    var messages: [SimMessage] = []

    /// Updates not yet confirmed (getUpdates) or delivered (webhook), oldest first.
    var updates: [PendingUpdate] = []
    var nextUpdateID: Int64
    /// Update types the bot asked for; empty means all.
    var allowedUpdates: Set<String> = []
    /// Bumped by each getUpdates call; a waiting call that sees another number was superseded.
    var pollGeneration = 0

    var webhook: WebhookState?
    var deliveries: [DeliveryRecord] = []
    var deliveryInFlight = false
    var deliveryThreadStarted = false
    var stopped = false

    var callbackQueries: [String: CallbackRecord] = [:]
    var answers: [AnswerRecord] = []
    var log: [LogEntry] = []

    var chatWindows: [Int64: RateWindow] = [:]
    var globalWindow: RateWindow?

    init(config: SimulatorConfig) {
        chatRate = config.chatRate
        globalRate = config.globalRate
        serverErrorRate = config.serverErrorRate
        random = SimRandom(seed: config.seed)
        nextUpdateID = Int64.random(in: 100_000_000...900_000_000, using: &random)
        globalWindow = config.globalRate.map(RateWindow.init)
    }

    func message(_ id: Int64) -> SimMessage? {
        guard id >= 1 && id <= Int64(messages.count) else { return nil }
        return messages[Int(id - 1)]
    }

    /// Queues an update unless the bot filtered its type out; returns its id.
    @discardableResult
    mutating func enqueue(kind: String, chatID: Int64, payload: JSONValue) -> Int64 {
        let id = nextUpdateID
        nextUpdateID += 1
        if allowedUpdates.isEmpty || allowedUpdates.contains(kind) {
            updates.append(PendingUpdate(id: id, kind: kind, chatID: chatID, payload: payload))
        }
        return id
    }

    /// Keeps the log bounded for long benchmark runs.
    mutating func append(_ entry: LogEntry) {
        log.append(entry)
        if log.count > 200_000 { log.removeFirst(log.count - 100_000) }
    }
}

/// An update waiting for the bot.
struct PendingUpdate: Sendable {
    var id: Int64
    /// `message` or `callback_query`.
    var kind: String
    var chatID: Int64
    var payload: JSONValue

    /// The Bot API `Update` object.
    var json: JSONValue {
        ["update_id": .int(id), kind: payload]
    }
}

/// The webhook set by `setWebhook`, with its delivery bookkeeping.
struct WebhookState: Sendable {
    var url: String
    var secret: String?
    var maxConnections: Int
    var attempts = 0
    var nextAttempt: Double = 0
    var lastErrorDate: Double?
    var lastErrorMessage: String?
}

/// One webhook POST and the status it got (0 for a network failure).
struct DeliveryRecord: Sendable {
    var time: Double
    var updateID: Int64
    var status: Int

    var json: JSONValue { ["time": .double(time), "update_id": .int(updateID), "status": .int(Int64(status))] }
}

/// A callback query handed to the bot, waiting for its answer.
struct CallbackRecord: Sendable {
    var createdAt: Double
    var userID: Int64
    var messageID: Int64
    var data: String
    var answered = false
}

/// One `answerCallbackQuery` call that succeeded.
struct AnswerRecord: Sendable {
    var queryID: String
    var text: String?
    var showAlert: Bool
    var url: String?
    var time: Double
    var userID: Int64
    var messageID: Int64

    var json: JSONValue {
        .compact([
            "callback_query_id": .string(queryID), "text": .from(text), "show_alert": .bool(showAlert),
            "url": .from(url), "time": .double(time), "user_id": .int(userID), "message_id": .int(messageID),
        ])
    }
}

/// One Bot API call, for benchmarks (sends, edits, 429s). It never holds the token.
public struct LogEntry: Sendable, Equatable {
    public var time: Double
    public var method: String
    public var chatID: Int64?
    public var messageID: Int64?
    /// 200 for success, else the error code.
    public var status: Int
    public var description: String?
    public var retryAfter: Int?

    var json: JSONValue {
        .compact([
            "time": .double(time), "method": .string(method), "chat_id": .from(chatID),
            "message_id": .from(messageID), "ok": .bool(status == 200),
            "error_code": status == 200 ? .null : .int(Int64(status)), "description": .from(description),
            "retry_after": .from(retryAfter.map(Int64.init)),
        ])
    }
}
