import JSON
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
        logger.debug("update of another kind ignored", (.updateID, String(update["update_id"]?.int64Value ?? 0)))
        return .done(FollowUps())
    }

    // MARK: - Clicks

    private func runClick(_ query: JSONValue, logger: Logger) throws -> JobResult {
        guard let queryID = query["id"]?.stringValue, let from = query["from"], let userID = from["id"]?.int64Value
        else {
            return .dead(reason: "callback query without id or sender")
        }
        let actor = Actor(
            telegramID: userID, username: from["username"]?.stringValue,
            firstName: from["first_name"]?.stringValue ?? "someone")
        let chat = query["message"]?["chat"]?["id"]?.int64Value
        guard let chat, try chat == chatID() || chat == config.chatID else {
            answer(queryID, "This bot pages another chat; nothing changed.", logger: logger)
            return .done(FollowUps())
        }
        guard let data = query["data"]?.stringValue.flatMap(CallbackData.init) else {
            answer(queryID, "Unknown button; nothing changed.", logger: logger)
            return .done(FollowUps())
        }
        let now = Double(try queue.connection.serverTimeMillis()) / 1000
        let event: IncidentEvent =
            data.action == .acknowledge
            ? .acknowledge(by: actor, at: now) : .forward(by: actor, fromLevel: data.level, at: now)
        let clickLogger = logger.with(.incident, String(data.incidentID))

        let outcome: (FollowUps, String)? = try db.transaction { _ in
            guard let incident = try incidents.incident(id: data.incidentID) else {
                return (FollowUps(), "This incident is unknown; nothing changed.")
            }
            let transition = incident.state.apply(event)
            guard let next = try commit(transition, to: incident) else { return nil }
            if transition.changed {
                clickLogger.info(
                    "click applied", (.status, transition.history?.kind ?? ""),
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

    /// `/whoami`, `/oncall [service]` and `/incidents` in the group. Answers name people without `@`:
    /// a mention in a new message would notify them.
    private func runCommand(_ message: JSONValue, logger: Logger) throws -> JobResult {
        guard let text = message["text"]?.stringValue, text.hasPrefix("/"),
            let chat = message["chat"]?["id"]?.int64Value, let from = message["from"],
            let userID = from["id"]?.int64Value
        else { return .done(FollowUps()) }
        let words = text.split(separator: " ").map(String.init)
        let command = words.first.map { String($0.split(separator: "@").first ?? "") } ?? ""
        let html: String
        switch command {
        case "/whoami":
            let name = from["username"]?.stringValue ?? from["first_name"]?.stringValue ?? "you"
            html = HTMLText.escaped(name).html + ": telegram_id <code>\(userID)</code>, chat id <code>\(chat)</code>"
        case "/oncall":
            html = try onCall(service: words.dropFirst().first)
        case "/incidents":
            guard try chat == config.chatID || chat == chatID() else { return .done(FollowUps()) }
            html = try openIncidents(chat: chat)
        default:
            return .done(FollowUps())
        }
        let outcome = telegram.sendText(chat: chat, html: html, replyTo: message["message_id"]?.int64Value)
        if case .ok = outcome { return .done(FollowUps()) }
        return try failure(outcome, chat: chat, method: "sendMessage", logger: logger)
    }

    /// Who answers at each level of one service, or of every service.
    func onCall(service: String?) throws -> String {
        let directory = try DirectoryStore(db: db).load()
        let names = service.map { [directory.serviceName(for: $0)] } ?? directory.services.keys.sorted()
        var lines: [String] = []
        for name in names.prefix(30) {
            let ladder = directory.ladder(for: name, fallbackTimeout: config.escalationTimeout)
            let levels = ladder.levels.enumerated().map { index, people in
                "L\(index + 1): " + (people.isEmpty ? "nobody" : people.map(\.name).joined(separator: ", "))
            }
            let label = service != nil && name != service ? "\(service!) → \(name)" : name
            lines.append(
                HTMLText.tag("b", .escaped(label)).html + " (every \(Duration.format(ladder.timeout)))\n"
                    + HTMLText.escaped(levels.joined(separator: " · ")).html)
        }
        return lines.isEmpty ? "The directory is empty." : lines.joined(separator: "\n")
    }

    /// Open incidents with their level and age, each linked to its first card where Telegram allows links.
    func openIncidents(chat: Int64) throws -> String {
        let rows = try db.query(
            "SELECT i.id, i.service, i.status, i.level, extract(epoch FROM now() - i.opened_at)::bigint AS age, "
                + "(SELECT telegram_message_id FROM messages m WHERE m.incident_id = i.id "
                + "ORDER BY level LIMIT 1) AS card "
                + "FROM incidents i WHERE i.status <> 'resolved' ORDER BY i.opened_at LIMIT 30")
        guard !rows.isEmpty else { return "No open incidents." }
        // Supergroup message links: https://t.me/c/<chat id without -100>/<message id>.
        let chatText = String(chat)
        let linkBase = chatText.hasPrefix("-100") ? "https://t.me/c/\(chatText.dropFirst(4))/" : nil
        return rows.all.map { row in
            let age = Duration.format(Double(max(row.int("age") ?? 0, 1)))
            var line = HTMLText.escaped("#\(row["id"] ?? "?") \(row["service"] ?? "?")")
            if let base = linkBase, let card = row["card"] { line = .link(base + card, line) }
            return line.html
                + HTMLText.escaped(" · \(row["status"] ?? "?") · level \(row["level"] ?? "?") · \(age)").html
        }.joined(separator: "\n")
    }
}
