// MARK: - Sending and editing

extension BotSimulator {
    /// `sendMessage`: checks as Telegram does (parameters, entities, chat, text, reply target, rate),
    /// then stores the message.
    func sendMessage(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        guard let chat = parameters.string("chat_id"), !chat.isEmpty else { return .failure(.chatIDEmpty) }
        guard let raw = parameters.string("text"), !raw.isEmpty else { return .failure(.textEmpty) }
        let parseMode = parameters.string("parse_mode")
        let markup: JSON?
        let parsed: FormattedText
        let reply: ReplyRequest
        switch (Keyboards.read(parameters, allowReplyKeyboards: true), parse(raw, parseMode: parseMode),
            ReplyRequest.read(parameters))
        {
        case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
            return .failure(error)
        case (.success(let readMarkup), .success(let readText), .success(let readReply)):
            (markup, parsed, reply) = (readMarkup, readText, readReply)
        }
        let now = clock()

        let outcome = state.withLock { state -> Result<BotReply, BotError> in
            let chatID: Int64
            switch resolveChat(chat) {
            case .failure(let error): return .failure(error)
            case .success(let id): chatID = id
            }
            let content: FormattedText
            switch finish(parsed) {
            case .failure(let error): return .failure(error)
            case .success(let fixed): content = fixed
            }
            var replyTo = reply.messageID
            if let target = replyTo, state.message(target) == nil {
                guard reply.allowWithoutReply else { return .failure(.replyTargetNotFound) }
                replyTo = nil
            }
            if let wait = state.admit(chatID: chatID, at: now) { return .failure(.tooManyRequests(retryAfter: wait)) }

            let message = SimMessage(
                id: Int64(state.messages.count + 1), chatID: chatID, senderID: directory.botID, sentAt: now,
                rawText: raw, parseMode: parseMode, content: content, replyToMessageID: replyTo, replyMarkup: markup,
                disableNotification: parameters.bool("disable_notification"))
            state.messages.append(message)
            let result = directory.message(message, replyTo: replyTo.flatMap(state.message))
            return .success(BotReply(result: result, chatID: chatID, messageID: message.id))
        }
        return outcome
    }

    /// `editMessageText`: a new text, and the keyboard given (none given removes it, as in Telegram).
    func editMessageText(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        if parameters["inline_message_id"] != nil { return .failure(.badRequest("inline messages are not simulated")) }
        guard let chat = parameters.string("chat_id"), !chat.isEmpty, let messageID = parameters.int64("message_id")
        else { return .failure(.messageIdentifierMissing) }
        guard let raw = parameters.string("text"), !raw.isEmpty else { return .failure(.textEmpty) }
        let parseMode = parameters.string("parse_mode")
        let markup: JSON?
        let parsed: FormattedText
        switch (Keyboards.read(parameters, allowReplyKeyboards: false), parse(raw, parseMode: parseMode)) {
        case (.failure(let error), _), (_, .failure(let error)):
            return .failure(error)
        case (.success(let readMarkup), .success(let readText)):
            (markup, parsed) = (readMarkup, readText)
        }

        return edit(chat: chat, messageID: messageID, method: "editMessageText") { _ in
            finish(parsed).map { (rawText: raw, parseMode: parseMode, content: $0, markup: markup) }
        }
    }

    /// `editMessageReplyMarkup`: a new keyboard, or none.
    func editMessageReplyMarkup(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        if parameters["inline_message_id"] != nil { return .failure(.badRequest("inline messages are not simulated")) }
        guard let chat = parameters.string("chat_id"), !chat.isEmpty, let messageID = parameters.int64("message_id")
        else { return .failure(.messageIdentifierMissing) }
        let markup: JSON?
        switch Keyboards.read(parameters, allowReplyKeyboards: false) {
        case .failure(let error): return .failure(error)
        case .success(let read): markup = read
        }

        return edit(chat: chat, messageID: messageID, method: "editMessageReplyMarkup") { message in
            .success((rawText: message.rawText, parseMode: message.parseMode, content: message.content, markup: markup))
        }
    }

    private typealias NewContent = (rawText: String, parseMode: String?, content: FormattedText, markup: JSON?)

    /// The steps every edit shares: find the message, refuse a no-op, count the edit against the limits, store.
    private func edit(
        chat: String, messageID: Int64, method: String,
        change: (SimMessage) -> Result<NewContent, BotError>
    ) -> Result<BotReply, BotError> {
        let now = clock()
        return state.withLock { state -> Result<BotReply, BotError> in
            let chatID: Int64
            switch resolveChat(chat) {
            case .failure(let error): return .failure(error)
            case .success(let id): chatID = id
            }
            guard var message = state.message(messageID) else { return .failure(.messageToEditNotFound) }
            guard message.senderID == directory.botID else {
                return .failure(.badRequest("message can't be edited"))
            }
            let new: NewContent
            switch change(message) {
            case .failure(let error): return .failure(error)
            case .success(let content): new = content
            }
            if new.content == message.content && new.markup == message.replyMarkup { return .failure(.notModified) }
            if let wait = state.admit(chatID: chatID, at: now) { return .failure(.tooManyRequests(retryAfter: wait)) }

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
            let result = directory.message(message, replyTo: message.replyToMessageID.flatMap(state.message))
            return .success(BotReply(result: result, chatID: chatID, messageID: messageID))
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
