import Foundation
import Logging
import Models
import Postgres
import Queue

extension JobRunner {
    /// Posts a recorded card, then starts its level's timer.
    ///
    /// The card row stays locked during the call, so a second worker running the same job waits and then
    /// finds it posted. The only window for a duplicate is a crash between Telegram's answer and the commit.
    func runPost(messageID: Int64, logger: Logger) throws -> JobResult {
        try db.query("BEGIN")
        guard let message = try incidents.message(id: messageID, lock: true),
              let incident = try incidents.incident(id: message.incidentID, lock: false)
        else {
            try db.query("COMMIT")
            return .done(FollowUps())
        }
        if message.telegramMessageID != nil {
            try db.query("COMMIT")
            return .done(timerFollowUps(incident, level: message.level))
        }
        if let wait = try waitForSlot(chat: try chatID()) {
            try db.query("ROLLBACK")
            return .deferred(millis: wait)
        }
        let nowMillis = try queue.connection.serverTimeMillis()
        let predictedDue = nowMillis + Int64(incident.state.ladder.timeout * 1000)
        let card = try render(incident, level: message.level, escalatesAt: Double(predictedDue) / 1000)
        let replyTo = try firstCardID(of: incident, exceptLevel: message.level)
        let chat = try chatID()
        let outcome = telegram.sendMessage(chat: chat, card: card, replyTo: replyTo)
        guard case .ok(let result) = outcome, let posted = result["message_id"]?.int else {
            try db.query("ROLLBACK")
            return try failure(outcome, chat: chat, method: "sendMessage", logger: logger)
        }
        try incidents.markPosted(message.id, telegramMessageID: posted, version: message.desiredVersion)
        var next = FollowUps()
        if incident.state.isOpen, incident.state.level == message.level, !incident.state.exhausted {
            let due = try queue.connection.serverTimeMillis() + Int64(incident.state.ladder.timeout * 1000)
            try incidents.setEscalation(incident.id, atMillis: due)
            next.delayed.append((Self.escalateJob(incident.id, level: message.level), due))
        }
        try db.query("COMMIT")
        logger.info("card posted", (.incident, String(incident.id)), (.level, String(message.level)),
                    (.messageID, String(posted)))
        return .done(next)
    }

    /// Brings a posted card up to date with its incident. Edits that piled up cost one call: the row
    /// remembers which version Telegram shows.
    func runEdit(messageID: Int64, logger: Logger) throws -> JobResult {
        try db.query("BEGIN")
        guard let message = try incidents.message(id: messageID, lock: true),
              let telegramID = message.telegramMessageID, message.sentVersion < message.desiredVersion,
              let incident = try incidents.incident(id: message.incidentID, lock: false)
        else {
            try db.query("COMMIT")
            return .done(FollowUps())
        }
        if let wait = try waitForSlot(chat: message.chatID) {
            try db.query("ROLLBACK")
            return .deferred(millis: wait)
        }
        let escalatesAt = incident.escalatesAtMillis.map { Double($0) / 1000 }
        let card = try render(incident, level: message.level, escalatesAt: escalatesAt)
        let outcome = telegram.editMessageText(chat: message.chatID, messageID: telegramID, card: card)
        guard case .ok = outcome else {
            try db.query("ROLLBACK")
            return try failure(outcome, chat: message.chatID, method: "editMessageText", logger: logger)
        }
        try incidents.markSynced(message.id, version: message.desiredVersion)
        try db.query("COMMIT")
        logger.debug("card edited", (.incident, String(incident.id)), (.level, String(message.level)))
        return .done(FollowUps())
    }

    // MARK: - Helpers

    /// The timer of a posted card's level, again: a job re-run after its commit must not lose it.
    private func timerFollowUps(_ incident: IncidentRow, level: Int) -> FollowUps {
        var next = FollowUps()
        if incident.state.isOpen, incident.state.level == level, let due = incident.escalatesAtMillis {
            next.delayed.append((Self.escalateJob(incident.id, level: level), due))
        }
        return next
    }

    /// Takes a send slot, sleeping through short waits; returns the wait when it is long.
    private func waitForSlot(chat: Int64) throws -> Int64? {
        for _ in 0..<5 {
            let wait = try limiter.acquire(chat: chat, on: queue.connection)
            if wait == 0 { return nil }
            if wait > 1500 { return wait }
            Thread.sleep(forTimeInterval: Double(wait) / 1000)
        }
        return 1000
    }

    func render(_ incident: IncidentRow, level: Int, escalatesAt: Double?) throws -> Card {
        CardRenderer.render(CardContext(
            incidentID: incident.id, state: incident.state, cardLevel: level, alerts: try incidents.alerts(incident.id),
            commonLabels: incident.commonLabels, commonAnnotations: incident.commonAnnotations,
            alertmanagerURL: incident.externalURL, truncatedAlerts: incident.truncatedAlerts,
            escalatesAt: escalatesAt))
    }

    /// The Telegram id of the incident's first posted card, which later levels' cards reply to.
    private func firstCardID(of incident: IncidentRow, exceptLevel level: Int) throws -> Int64? {
        try incidents.messages(incident.id).first { $0.level != level && $0.telegramMessageID != nil }?
            .telegramMessageID
    }

    /// Turns a failed Bot API call into a job result, honouring 429 for every worker.
    func failure(_ outcome: TelegramOutcome, chat: Int64, method: String, logger: Logger) throws -> JobResult {
        switch outcome {
        case .ok:
            return .failed(reason: "\(method): answer without a message id", transient: false)
        case .retryAfter(let seconds):
            try limiter.pause(chat: chat, seconds: seconds, on: queue.connection)
            logger.warning("telegram asked to slow down", (.method, method), (.delayMillis, String(seconds * 1000)))
            return .deferred(millis: Int64(seconds) * 1000)
        case .retry(let reason):
            return .failed(reason: reason, transient: true)
        case .maybeSent(let reason):
            logger.warning("telegram call may have been applied; retrying may repeat it", (.error, reason))
            return .failed(reason: reason, transient: true)
        case .migrated(let newChat):
            try db.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE "
                + "SET value = EXCLUDED.value", ["chat:\(config.chatID)", String(newChat)])
            try db.query("UPDATE messages SET chat_id = $1 WHERE chat_id = $2 AND telegram_message_id IS NULL",
                         [String(newChat), String(chat)])
            logger.error("THE GROUP WAS UPGRADED TO A SUPERGROUP: sending to the new chat id from now on; "
                + "set TELEGRAM_CHAT_ID to it", (.chatID, String(newChat)))
            return .deferred(millis: 0)
        case .permanent(let code, let description):
            return .dead(reason: "\(method): \(code) \(description)")
        }
    }
}
