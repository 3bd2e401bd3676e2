import JSON

/// A message in the simulated group, with everything the control interface shows about it.
struct SimMessage: Sendable {
    var id: Int64
    var chatID: Int64
    /// The bot's id for the bot's messages, a member's id for messages sent through `/sim/send`.
    var senderID: Int64
    var sentAt: Double
    /// The text as the sender gave it (HTML for `parse_mode=HTML`).
    var rawText: String
    var parseMode: String?
    var content: FormattedText
    var replyToMessageID: Int64?
    /// The inline keyboard, normalised (`{"inline_keyboard":[[…]]}`), or nil for none.
    var replyMarkup: JSONValue?
    var disableNotification: Bool
    var editedAt: Double?
    var edits: [MessageEdit] = []

    var date: Int64 { Int64(sentAt) }
}

/// One successful edit: what the message became, and when.
struct MessageEdit: Sendable {
    var time: Double
    var method: String
    var rawText: String
    var parseMode: String?
    var content: FormattedText
    var replyMarkup: JSONValue?
}

/// Who is who in the chat: turns ids into the Bot API's `User` and `Chat` objects.
struct ChatDirectory: Sendable {
    var bot: JSONValue
    var botID: Int64
    var chat: JSONValue
    var members: [SimUser]

    init(config: SimulatorConfig) {
        botID = config.botID
        bot = [
            "id": .int(config.botID), "is_bot": true, "first_name": .string(config.botFirstName),
            "username": .string(config.botUsername),
        ]
        let isSupergroup = String(config.chatID).hasPrefix("-100")
        chat = [
            "id": .int(config.chatID), "title": .string(config.chatTitle),
            "type": .string(isSupergroup ? "supergroup" : "group"),
        ]
        members = config.members
    }

    func member(_ id: Int64) -> SimUser? { members.first { $0.id == id } }

    func user(_ id: Int64) -> JSONValue {
        if id == botID { return bot }
        return member(id)?.json ?? ["id": .int(id), "is_bot": false, "first_name": ""]
    }

    func entities(_ content: FormattedText) -> JSONValue {
        .array(content.entities.map { $0.json(user: user) })
    }

    /// The Bot API `Message` object; `reply_to_message` is one level deep, as in Telegram.
    func message(_ message: SimMessage, replyTo: SimMessage?) -> JSONValue {
        var members: [String: JSONValue] = [
            "message_id": .int(message.id), "from": user(message.senderID), "chat": chat,
            "date": .int(message.date), "text": .string(message.content.text),
        ]
        if !message.content.entities.isEmpty { members["entities"] = entities(message.content) }
        if let markup = message.replyMarkup { members["reply_markup"] = markup }
        if let edited = message.editedAt { members["edit_date"] = .int(Int64(edited)) }
        if let replyTo { members["reply_to_message"] = self.message(replyTo, replyTo: nil) }
        return .object(members)
    }

    /// Everything the simulator knows about a message, for `/sim/messages` and the chat page.
    func record(_ message: SimMessage) -> JSONValue {
        .compact([
            "message_id": .int(message.id), "chat_id": .int(message.chatID), "from": user(message.senderID),
            "is_bot": .bool(message.senderID == botID), "date": .int(message.date), "time": .double(message.sentAt),
            "raw_text": .string(message.rawText), "parse_mode": .from(message.parseMode),
            "text": .string(message.content.text), "entities": entities(message.content),
            "reply_to_message_id": .from(message.replyToMessageID), "reply_markup": message.replyMarkup ?? .null,
            "disable_notification": .bool(message.disableNotification),
            "edit_date": message.editedAt.map { .int(Int64($0)) } ?? .null,
            "edit_count": .int(Int64(message.edits.count)),
            "edits": .array(message.edits.map(edit)),
        ])
    }

    private func edit(_ edit: MessageEdit) -> JSONValue {
        .compact([
            "time": .double(edit.time), "method": .string(edit.method), "raw_text": .string(edit.rawText),
            "parse_mode": .from(edit.parseMode), "text": .string(edit.content.text),
            "entities": entities(edit.content), "reply_markup": edit.replyMarkup ?? .null,
        ])
    }
}
