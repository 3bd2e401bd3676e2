import JSON

// MARK: - What members do: click buttons, post messages

/// A refused control request: an HTTP status and a reason.
struct ControlError: Error {
    var status: Int
    var reason: String

    static func bad(_ reason: String) -> ControlError { ControlError(status: 400, reason: reason) }
    static func notFound(_ reason: String) -> ControlError { ControlError(status: 404, reason: reason) }
}

extension BotSimulator {
    /// A member presses an inline button: a `callback_query` update as Telegram would make it.
    ///
    /// The button must be on the message's current keyboard unless `stale` is set, which plays a client
    /// still showing an old keyboard.
    func click(chatID: Int64, messageID: Int64, userID: Int64, data: String, stale: Bool)
        -> Result<JSONValue, ControlError>
    {
        guard chatID == config.chatID else { return .failure(.notFound("chat not found")) }
        guard let user = directory.member(userID) else {
            return .failure(.bad("user \(userID) is not a member of the chat"))
        }
        let now = clock()

        let made = state.withLock { state -> Result<(id: String, payload: JSONValue), ControlError> in
            guard let message = state.message(messageID) else { return .failure(.notFound("message not found")) }
            guard stale || Keyboards.contains(message.replyMarkup, callbackData: data) else {
                return .failure(.bad("message \(messageID) has no button with callback_data \"\(data)\""))
            }
            let id = state.random.queryID()
            state.callbackQueries[id] = CallbackRecord(
                createdAt: now, userID: userID, messageID: messageID, data: data)
            let replyTo = message.replyToMessageID.flatMap { state.message($0) }
            let payload: JSONValue = [
                "id": .string(id), "from": user.json, "message": directory.message(message, replyTo: replyTo),
                "chat_instance": .string(chatInstance), "data": .string(data),
            ]
            return .success((id, payload))
        }
        return made.map { query in
            let updateID = post(kind: "callback_query", chatID: chatID, payload: query.payload)
            return ["callback_query_id": .string(query.id), "update_id": .int(updateID)]
        }
    }

    /// A member posts a text message (a command such as `/whoami`); bot commands and mentions are marked.
    func userMessage(chatID: Int64, userID: Int64, text: String, replyTo: Int64?) -> Result<JSONValue, ControlError> {
        guard chatID == config.chatID else { return .failure(.notFound("chat not found")) }
        guard directory.member(userID) != nil else {
            return .failure(.bad("user \(userID) is not a member of the chat"))
        }
        guard case .success(let content) = TextFixing.finish(FormattedText(text: text)) else {
            return .failure(.bad("text is empty"))
        }
        let now = clock()

        let made = state.withLock { state -> Result<(id: Int64, payload: JSONValue), ControlError> in
            if let replyTo, state.message(replyTo) == nil { return .failure(.notFound("message not found")) }
            let message = SimMessage(
                id: Int64(state.messages.count + 1), chatID: chatID, senderID: userID, sentAt: now, rawText: text,
                parseMode: nil, content: content, replyToMessageID: replyTo, replyMarkup: nil,
                disableNotification: false)
            state.messages.append(message)
            return .success((message.id, directory.message(message, replyTo: replyTo.flatMap { state.message($0) })))
        }
        return made.map { message in
            let updateID = post(kind: "message", chatID: chatID, payload: message.payload)
            return ["message_id": .int(message.id), "update_id": .int(updateID)]
        }
    }

    // MARK: - answerCallbackQuery

    /// `answerCallbackQuery`: once per query, within `callbackAnswerTimeout` seconds of the click.
    func answerCallbackQuery(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        let id = parameters.string("callback_query_id") ?? ""
        let text = parameters.string("text")
        if let text, text.unicodeScalars.count > 200 { return .failure(.callbackAnswerTooLong) }
        let now = clock()

        return state.withLock { state -> Result<BotReply, BotError> in
            guard var query = state.callbackQueries[id], !query.answered,
                now - query.createdAt <= config.callbackAnswerTimeout
            else { return .failure(.queryTooOld) }
            query.answered = true
            state.callbackQueries[id] = query
            state.answers.append(
                AnswerRecord(
                    queryID: id, text: text, showAlert: parameters.bool("show_alert"), url: parameters.string("url"),
                    time: now, userID: query.userID, messageID: query.messageID))
            return .success(BotReply(result: true, chatID: config.chatID, messageID: query.messageID))
        }
    }
}
