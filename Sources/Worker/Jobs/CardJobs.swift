import Foundation
import Logging
import Metrics
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
        let slot: String
        switch try waitForSlot(chat: try chatID()) {
        case .slot(let granted): slot = granted
        case .wait(let millis):
            try db.query("ROLLBACK")
            return .deferred(millis: millis)
        }
        let nowMillis = try queue.connection.serverTimeMillis()
        let predictedDue = nowMillis + Int64(incident.state.ladder.timeout * 1000)
        let card = try render(incident, level: message.level, escalatesAt: Double(predictedDue) / 1000)
        let replyTo = try firstCardID(of: incident, exceptLevel: message.level)
        let chat = try chatID()
        FailPoint.hit("post.before_send")
        guard try stillHolding() else {
            _ = try? db.query("ROLLBACK")
            return .fenced
        }
        let outcome = telegram.sendMessage(chat: chat, card: card, replyTo: replyTo)
        FailPoint.hit("post.after_send")
        guard case .ok(let result) = outcome, let posted = result["message_id"]?.int64Value else {
            try db.query("ROLLBACK")
            return try failure(outcome, chat: chat, slot: slot, method: "sendMessage", logger: logger)
        }
        try incidents.markPosted(message.id, telegramMessageID: posted, version: message.desiredVersion)
        var next = FollowUps()
        if incident.state.isOpen, incident.state.level == message.level, !incident.state.exhausted {
            let due = try queue.connection.serverTimeMillis() + Int64(incident.state.ladder.timeout * 1000)
            try incidents.setEscalation(incident.id, atMillis: due)
            next.delayed.append((Self.escalateJob(incident.id, level: message.level), due))
        }
        FailPoint.hit("post.before_commit")
        try db.query("COMMIT")
        FailPoint.hit("post.after_commit")
        MetricsRegistry.shared.increment(.pages, ["level": String(message.level)])
        logger.info(
            "card posted", (.incident, String(incident.id)), (.level, String(message.level)),
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
        let slot: String
        switch try waitForSlot(chat: message.chatID) {
        case .slot(let granted): slot = granted
        case .wait(let millis):
            try db.query("ROLLBACK")
            return .deferred(millis: millis)
        }
        let escalatesAt = incident.escalatesAtMillis.map { Double($0) / 1000 }
        let card = try render(incident, level: message.level, escalatesAt: escalatesAt)
        FailPoint.hit("edit.before_send")
        guard try stillHolding() else {
            _ = try? db.query("ROLLBACK")
            return .fenced
        }
        let outcome = telegram.editMessageText(chat: message.chatID, messageID: telegramID, card: card)
        FailPoint.hit("edit.after_send")
        guard case .ok = outcome else {
            try db.query("ROLLBACK")
            return try failure(outcome, chat: message.chatID, slot: slot, method: "editMessageText", logger: logger)
        }
        try incidents.markSynced(message.id, version: message.desiredVersion)
        FailPoint.hit("edit.before_commit")
        try db.query("COMMIT")
        FailPoint.hit("edit.after_commit")
        logger.debug("card edited", (.incident, String(incident.id)), (.level, String(message.level)))
        return .done(FollowUps())
    }

    // MARK: - Helpers

    /// Right before a Telegram call: is this job still ours, and our transaction (with its row lock) still
    /// alive? A worker paused past its lease finds another worker took the job, or PostgreSQL ended its
    /// idle session, and gives up instead of sending a second message.
    private func stillHolding() throws -> Bool {
        guard try fence() else { return false }
        do {
            try db.query("SELECT 1")
            return true
        } catch let error as PostgresError where error.kind == .connection {
            return false
        }
    }

    /// The timer of a posted card's level, again: a job re-run after its commit must not lose it.
    private func timerFollowUps(_ incident: IncidentRow, level: Int) -> FollowUps {
        var next = FollowUps()
        if incident.state.isOpen, incident.state.level == level, let due = incident.escalatesAtMillis {
            next.delayed.append((Self.escalateJob(incident.id, level: level), due))
        }
        return next
    }

    /// Takes a send slot, sleeping through short waits; returns the wait when it is long.
    private func waitForSlot(chat: Int64) throws -> RateLimiter.Grant {
        for _ in 0..<5 {
            let grant = try limiter.acquire(chat: chat, on: queue.connection)
            guard case .wait(let millis) = grant, millis <= 1500 else { return grant }
            Thread.sleep(forTimeInterval: Double(millis) / 1000)
        }
        return .wait(millis: 1000)
    }

    func render(_ incident: IncidentRow, level: Int, escalatesAt: Double?) throws -> Card {
        CardRenderer.render(
            CardContext(
                incidentID: incident.id, state: incident.state, cardLevel: level,
                alerts: try incidents.alerts(incident.id),
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
    func failure(
        _ outcome: TelegramOutcome, chat: Int64, slot: String? = nil, method: String,
        logger: Logger
    ) throws -> JobResult {
        switch outcome {
        case .retry, .retryAfter, .migrated, .permanent:
            if let slot { try limiter.release(chat: chat, slot: slot, on: queue.connection) }
        case .ok, .maybeSent:
            break
        }
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
            try db.query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE "
                    + "SET value = EXCLUDED.value", ["chat:\(config.chatID)", String(newChat)])
            try db.query(
                "UPDATE messages SET chat_id = $1 WHERE chat_id = $2 AND telegram_message_id IS NULL",
                [String(newChat), String(chat)])
            logger.error(
                "THE GROUP WAS UPGRADED TO A SUPERGROUP: sending to the new chat id from now on; "
                    + "set TELEGRAM_CHAT_ID to it", (.chatID, String(newChat)))
            return .deferred(millis: 0)
        case .permanent(let code, let description):
            return .dead(reason: "\(method): \(code) \(description)")
        }
    }
}
