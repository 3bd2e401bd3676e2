import Foundation
import HTTPClient
import JSON
import Logging
import Metrics
import Models

/// Calls the Telegram Bot API over one kept-alive libcurl connection and classifies every answer.
///
/// The token lives only in the request URL, and neither the URL nor the token is ever put in an error or a
/// log line: errors name the method and the API host.
public final class TelegramClient {
    private let http = HTTPClient()
    private let baseURL: String
    private let token: String
    private let timeout: Double

    public init(apiURL: String, token: String, timeout: Double = 10) {
        baseURL = apiURL
        self.token = token
        self.timeout = timeout
    }

    // MARK: - Methods

    public func sendMessage(chat: Int64, card: Card, replyTo: Int64? = nil) -> TelegramOutcome {
        var body: [String: Any] = [
            "chat_id": chat, "text": card.html, "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true], "reply_markup": Self.keyboard(card.buttons),
        ]
        if let replyTo { body["reply_parameters"] = ["message_id": replyTo, "allow_sending_without_reply": true] }
        return call("sendMessage", body)
    }

    /// Edits a card's text and buttons; an edit with no buttons removes the keyboard.
    public func editMessageText(chat: Int64, messageID: Int64, card: Card) -> TelegramOutcome {
        let body: [String: Any] = [
            "chat_id": chat, "message_id": messageID, "text": card.html, "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true], "reply_markup": Self.keyboard(card.buttons),
        ]
        let outcome = call("editMessageText", body)
        if case .permanent(_, let description) = outcome, description.hasPrefix(TelegramOutcome.notModifiedPrefix) {
            return .ok(result: [:])
        }
        return outcome
    }

    public func answerCallbackQuery(id: String, text: String) -> TelegramOutcome {
        call("answerCallbackQuery", ["callback_query_id": id, "text": String(text.prefix(200))])
    }

    public func sendText(chat: Int64, html: String, replyTo: Int64? = nil) -> TelegramOutcome {
        var body: [String: Any] = ["chat_id": chat, "text": html, "parse_mode": "HTML"]
        if let replyTo { body["reply_parameters"] = ["message_id": replyTo, "allow_sending_without_reply": true] }
        return call("sendMessage", body)
    }

    /// Long-polls for updates; the HTTP timeout is kept above Telegram's long-poll timeout.
    public func getUpdates(offset: Int64, timeout pollSeconds: Int) -> (TelegramOutcome, [JSONValue]) {
        let outcome = call(
            "getUpdates",
            [
                "offset": offset, "timeout": pollSeconds,
                "allowed_updates": ["message", "callback_query"],
            ],
            timeout: Double(pollSeconds) + 10)
        if case .ok(let result) = outcome, case .array(let updates)? = result["updates"] { return (outcome, updates) }
        return (outcome, [])
    }

    public func setWebhook(url: String, secret: String?) -> TelegramOutcome {
        var body: [String: Any] = ["url": url, "allowed_updates": ["message", "callback_query"]]
        if let secret { body["secret_token"] = secret }
        return call("setWebhook", body)
    }

    public func deleteWebhook() -> TelegramOutcome { call("deleteWebhook", [:]) }

    // MARK: - Transport

    private func call(_ method: String, _ fields: [String: Any], timeout: Double? = nil) -> TelegramOutcome {
        let outcome = send(method, fields, timeout: timeout)
        MetricsRegistry.shared.increment(.telegram, ["method": method, "outcome": outcome.metricLabel])
        return outcome
    }

    private func send(_ method: String, _ fields: [String: Any], timeout: Double?) -> TelegramOutcome {
        guard let body = try? JSONSerialization.data(withJSONObject: fields) else {
            return .permanent(code: 0, description: "\(method): body is not JSON-encodable")
        }
        let response: HTTPClientResponse
        do {
            response = try http.send(
                url: "\(baseURL)/bot\(token)/\(method)",
                headers: ["Content-Type: application/json"], body: Array(body),
                timeout: timeout ?? self.timeout)
        } catch let error as HTTPClientError {
            let reason = "\(method): \(error)"
            return error.kind == .notSent ? .retry(reason: reason) : .maybeSent(reason: reason)
        } catch {
            return .retry(reason: "\(method): \(error)")
        }
        return Self.classify(method: method, status: response.status, body: response.body)
    }

    /// Sorts an HTTP answer of the Bot API into an outcome.
    static func classify(method: String, status: Int, body: [UInt8]) -> TelegramOutcome {
        let json = JSONValue.parse(body)
        if status == 200, json?["ok"]?.boolValue == true {
            switch json?["result"] {
            case .object(let fields): return .ok(result: fields)
            case .array(let list): return .ok(result: ["updates": .array(list)])
            default: return .ok(result: [:])
            }
        }
        let description = json?["description"]?.stringValue ?? "HTTP \(status)"
        let parameters = json?["parameters"]
        if status == 429 {
            let seconds = parameters?["retry_after"]?.int64Value ?? 1
            return .retryAfter(seconds: max(1, Int(seconds)))
        }
        if let migrated = parameters?["migrate_to_chat_id"]?.int64Value { return .migrated(toChat: migrated) }
        if status >= 500 || status == 0 { return .retry(reason: "\(method): \(status) \(description)") }
        return .permanent(code: status, description: description)
    }

    static func keyboard(_ rows: [[Card.Button]]) -> [String: Any] {
        ["inline_keyboard": rows.map { row in row.map { ["text": $0.text, "callback_data": $0.callbackData] } }]
    }
}
