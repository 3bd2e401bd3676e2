import JSON

// MARK: - Sending and editing

extension BotSimulator {
    /// `sendMessage`: checks as Telegram does (parameters, entities, chat, text, reply target, rate),
    /// then stores the message.
    func sendMessage(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        Result { () throws(BotError) -> BotReply in
            guard let chat = parameters.string("chat_id"), !chat.isEmpty else { throw .chatIDEmpty }
            guard let raw = parameters.string("text"), !raw.isEmpty else { throw .textEmpty }
            let parseMode = parameters.string("parse_mode")
            let markup = try Keyboards.read(parameters, allowReplyKeyboards: true).get()
            let parsed = try parse(raw, parseMode: parseMode).get()
            let reply = try ReplyRequest.read(parameters).get()
            let now = clock()

            return try state.withLock { state throws(BotError) -> BotReply in
                let chatID = try resolveChat(chat).get()
                let content = try finish(parsed).get()
                var replyTo = reply.messageID
                if let target = replyTo, state.message(target) == nil {
                    guard reply.allowWithoutReply else { throw .replyTargetNotFound }
                    replyTo = nil
                }
                if let wait = state.admit(chatID: chatID, at: now) { throw .tooManyRequests(retryAfter: wait) }

                let message = SimMessage(
                    id: Int64(state.messages.count + 1), chatID: chatID, senderID: directory.botID, sentAt: now,
                    rawText: raw, parseMode: parseMode, content: content, replyToMessageID: replyTo,
                    replyMarkup: markup, disableNotification: parameters.bool("disable_notification"))
                state.messages.append(message)
                let result = directory.message(message, replyTo: replyTo.flatMap { state.message($0) })
                return BotReply(result: result, chatID: chatID, messageID: message.id)
            }
        }
    }

    /// `editMessageText`: a new text, and the keyboard given (none given removes it, as in Telegram).
    func editMessageText(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        Result { () throws(BotError) -> BotReply in
            let (chat, messageID) = try editedMessage(parameters)
            guard let raw = parameters.string("text"), !raw.isEmpty else { throw .textEmpty }
            let parseMode = parameters.string("parse_mode")
            let markup = try Keyboards.read(parameters, allowReplyKeyboards: false).get()
            let parsed = try parse(raw, parseMode: parseMode).get()

            return try edit(chat: chat, messageID: messageID, method: "editMessageText") { _ throws(BotError) in
                NewContent(rawText: raw, parseMode: parseMode, content: try finish(parsed).get(), markup: markup)
            }
        }
    }

    /// `editMessageReplyMarkup`: a new keyboard, or none.
    func editMessageReplyMarkup(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        Result { () throws(BotError) -> BotReply in
            let (chat, messageID) = try editedMessage(parameters)
            let markup = try Keyboards.read(parameters, allowReplyKeyboards: false).get()

            return try edit(chat: chat, messageID: messageID, method: "editMessageReplyMarkup") { message in
                NewContent(
                    rawText: message.rawText, parseMode: message.parseMode, content: message.content, markup: markup)
            }
        }
    }

    /// What an edit turns a message into.
    private struct NewContent {
        var rawText: String
        var parseMode: String?
        var content: FormattedText
        var markup: JSONValue?
    }

    /// The `chat_id` and `message_id` of an edit.
    private func editedMessage(_ parameters: BotParameters) throws(BotError) -> (String, Int64) {
        if parameters["inline_message_id"] != nil { throw .badRequest("inline messages are not simulated") }
        guard let chat = parameters.string("chat_id"), !chat.isEmpty, let messageID = parameters.int64("message_id")
        else { throw .messageIdentifierMissing }
        return (chat, messageID)
    }

    /// The steps every edit shares: find the message, refuse a no-op, count the edit against the limits, store.
    private func edit(
        chat: String, messageID: Int64, method: String,
        change: (SimMessage) throws(BotError) -> NewContent
    ) throws(BotError) -> BotReply {
        let now = clock()
        return try state.withLock { state throws(BotError) -> BotReply in
            let chatID = try resolveChat(chat).get()
            guard var message = state.message(messageID) else { throw .messageToEditNotFound }
            guard message.senderID == directory.botID else { throw .badRequest("message can't be edited") }
            let new = try change(message)
            if new.content == message.content && new.markup == message.replyMarkup { throw .notModified }
            if let wait = state.admit(chatID: chatID, at: now) { throw .tooManyRequests(retryAfter: wait) }

            message.rawText = new.rawText
            message.parseMode = new.parseMode
            message.content = new.content
            message.replyMarkup = new.markup
            message.editedAt = now
            message.edits.append(
                MessageEdit(
                    time: now, method: method, rawText: new.rawText, parseMode: new.parseMode, content: new.content,
                    replyMarkup: new.markup))
            state.messages[Int(messageID - 1)] = message
            let result = directory.message(message, replyTo: message.replyToMessageID.flatMap { state.message($0) })
            return BotReply(result: result, chatID: chatID, messageID: messageID)
        }
    }

    // MARK: - Text

    /// Parses the text per `parse_mode` (HTML or none); trimming and limits come later, in `finish`.
    func parse(_ raw: String, parseMode: String?) -> Result<FormattedText, BotError> {
        switch parseMode?.lowercased() ?? "" {
        case "":
            return .success(FormattedText(text: raw))
        case "html":
            return HTMLEntityParser.parse(raw).mapError { BotError.cantParseEntities($0.description) }
        default:
            return .failure(.unsupportedParseMode)
        }
    }

    /// Trims, checks emptiness and length, finds mentions, and drops mentions of people outside the group.
    func finish(_ parsed: FormattedText) -> Result<FormattedText, BotError> {
        TextFixing.finish(parsed).flatMap { fixed in
            if let error = TextFixing.lengthError(fixed) { return .failure(error) }
            var visible = fixed
            visible.entities.removeAll { $0.kind == .textMention && directory.member($0.userID ?? 0) == nil }
            return .success(visible)
        }
    }
}

// MARK: - Rate limits

extension SimState {
    /// Counts a send or edit to `chatID` against the chat's and the bot's limits; the seconds to wait when
    /// either is full (nothing is counted then).
    mutating func admit(chatID: Int64, at now: Double) -> Int? {
        var waits: [Int] = []
        if let rate = chatRate {
            var window = chatWindows[chatID] ?? RateWindow(rate: rate)
            window.rate = rate
            if let wait = window.retryAfter(at: now) { waits.append(wait) }
            chatWindows[chatID] = window
        }
        if let rate = globalRate {
            var window = globalWindow ?? RateWindow(rate: rate)
            window.rate = rate
            if let wait = window.retryAfter(at: now) { waits.append(wait) }
            globalWindow = window
        }
        if let wait = waits.max() { return wait }

        if chatRate != nil { chatWindows[chatID]?.record(at: now) }
        if globalRate != nil { globalWindow?.record(at: now) }
        return nil
    }
}

// MARK: - Replies

/// `reply_parameters` or the older `reply_to_message_id` / `allow_sending_without_reply`.
struct ReplyRequest {
    var messageID: Int64?
    var allowWithoutReply: Bool

    static func read(_ parameters: BotParameters) -> Result<ReplyRequest, BotError> {
        var request = ReplyRequest(
            messageID: parameters.int64("reply_to_message_id"),
            allowWithoutReply: parameters.bool("allow_sending_without_reply"))
        guard let given = parameters.structured("reply_parameters") else {
            return .failure(.badRequest("can't parse reply parameters JSON object"))
        }
        if let object = given {
            guard let id = object["message_id"]?.int64Value else {
                return .failure(.badRequest("can't parse reply parameters JSON object"))
            }
            request.messageID = id
            request.allowWithoutReply = object["allow_sending_without_reply"]?.boolValue ?? request.allowWithoutReply
        }
        return .success(request)
    }
}
