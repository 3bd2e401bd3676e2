import Logging
import Models
import Queue

extension JobRunner {
    /// A Telegram update: a click on a card's button, or a command in the group.
    func runUpdate(_ body: String, logger: Logger) throws -> JobResult {
        guard let update = JSONValue.parse(Array(body.utf8)) else {
            return .dead(reason: "update is not JSON")
        }
        if let query = update["callback_query"] { return try runClick(query, logger: logger) }
        if let message = update["message"] { return try runCommand(message, logger: logger) }
        logger.debug("update of another kind ignored", (.updateID, String(update["update_id"]?.int ?? 0)))
        return .done(FollowUps())
    }

    // MARK: - Clicks

    private func runClick(_ query: JSONValue, logger: Logger) throws -> JobResult {
        guard let queryID = query["id"]?.string, let from = query["from"], let userID = from["id"]?.int else {
            return .dead(reason: "callback query without id or sender")
        }
        let actor = Actor(telegramID: userID, username: from["username"]?.string,
                          firstName: from["first_name"]?.string ?? "someone")
        let chat = query["message"]?["chat"]?["id"]?.int
        guard let chat, try chat == chatID() || chat == config.chatID else {
            answer(queryID, "This bot pages another chat; nothing changed.", logger: logger)
            return .done(FollowUps())
        }
        guard let data = query["data"]?.string.flatMap(CallbackData.init) else {
            answer(queryID, "Unknown button; nothing changed.", logger: logger)
            return .done(FollowUps())
        }
        let now = Double(try queue.connection.serverTimeMillis()) / 1000
        let event: IncidentEvent = data.action == .acknowledge
            ? .acknowledge(by: actor, at: now) : .forward(by: actor, fromLevel: data.level, at: now)
        let clickLogger = logger.with(.incident, String(data.incidentID))

        let outcome: (FollowUps, String)? = try db.transaction { _ in
            guard let incident = try incidents.incident(id: data.incidentID) else {
                return (FollowUps(), "This incident is unknown; nothing changed.")
            }
            let transition = incident.state.apply(event)
            guard let next = try commit(transition, to: incident) else { return nil }
            if transition.changed {
                clickLogger.info("click applied", (.status, transition.history?.kind ?? ""),
                                 (.level, String(transition.state.level)))
            }
            return (next, transition.answer ?? "Nothing changed.")
        }
        guard let (next, text) = outcome else {
            return .failed(reason: "incident \(data.incidentID) changed during the click", transient: true)
        }
        answer(queryID, text, logger: clickLogger)
        return .done(next)
    }

    /// Answers a click. Not retried: Telegram forgets a query after about 15 seconds anyway.
    private func answer(_ queryID: String, _ text: String, logger: Logger) {
        if case .ok = telegram.answerCallbackQuery(id: queryID, text: text) { return }
        logger.warning("could not answer a click", (.error, "answerCallbackQuery failed"))
    }

    // MARK: - Commands

    private func runCommand(_ message: JSONValue, logger: Logger) throws -> JobResult {
        guard let text = message["text"]?.string, text.hasPrefix("/"),
              let chat = message["chat"]?["id"]?.int, let from = message["from"], let userID = from["id"]?.int
        else { return .done(FollowUps()) }
        let command = text.split(separator: " ").first.map { String($0.split(separator: "@").first ?? "") } ?? ""
        guard command == "/whoami" else { return .done(FollowUps()) }
        let name = from["username"]?.string.map { "@\($0)" } ?? from["first_name"]?.string ?? "you"
        let html = HTMLText.escaped(name).html + ": telegram_id <code>\(userID)</code>, chat id <code>\(chat)</code>"
        let outcome = telegram.sendText(chat: chat, html: html, replyTo: message["message_id"]?.int)
        if case .ok = outcome { return .done(FollowUps()) }
        return try failure(outcome, chat: chat, method: "sendMessage", logger: logger)
    }
}
