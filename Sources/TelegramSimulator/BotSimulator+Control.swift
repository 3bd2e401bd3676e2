import HTTPServer
import JSON

// MARK: - The /sim/ control interface

/// Routes of the control interface, for tests and the chat page. JSON in and out, no token.
///
/// | route | does |
/// |---|---|
/// | `GET /sim/messages?chat_id=X` | every message, with raw and parsed text, entities, keyboard, edit history |
/// | `GET /sim/messages/<id>?chat_id=X` | one message |
/// | `POST /sim/click` | `{"chat_id","message_id","user_id","data","stale"?}` → `{"callback_query_id",…}` |
/// | `GET /sim/answers` | the `answerCallbackQuery` calls |
/// | `POST /sim/send` | `{"chat_id","user_id","text","reply_to_message_id"?}` → `{"message_id","update_id"}` |
/// | `GET /sim/log?method=M` | the Bot API request log |
/// | `GET`/`POST /sim/config` | `chat_rate`, `global_rate` (`{"count","per"}`, `"20/1m"`, null), `server_error_rate` |
/// | `POST /sim/reset` | forgets everything, back to the initial config |
/// | `GET /sim/members` | the group's members |
/// | `GET /sim/updates` | updates not yet confirmed or delivered |
/// | `GET /sim/webhook` | the webhook and every delivery attempt with its status |
extension BotSimulator {
    func handleControl(_ request: HTTPRequest, path: String, query: [String: String]) -> HTTPResponse {
        let segments = path.split(separator: "/").dropFirst().map(String.init)
        let method = request.method.uppercased()
        let outcome: Result<JSONValue, ControlError>

        switch (method, segments.first ?? "", segments.count) {
        case ("GET", "messages", 1): outcome = messages(query)
        case ("GET", "messages", 2): outcome = message(segments[1], query)
        case ("POST", "click", 1): outcome = body(request).flatMap(clickRequest)
        case ("POST", "send", 1): outcome = body(request).flatMap(sendRequest)
        case ("GET", "answers", 1): outcome = .success(state.withLock { .array($0.answers.map(\.json)) })
        case ("GET", "log", 1): outcome = .success(logJSON(method: query["method"]))
        case ("GET", "config", 1): outcome = .success(settingsJSON())
        case ("POST", "config", 1): outcome = body(request).flatMap(configure)
        case ("POST", "reset", 1): outcome = .success(reset())
        case ("GET", "members", 1): outcome = .success(.array(directory.members.map(\.json)))
        case ("GET", "updates", 1): outcome = .success(state.withLock { .array($0.updates.map(\.json)) })
        case ("GET", "webhook", 1): outcome = .success(webhookJSON())
        case (_, "messages", 1...2), (_, "click", 1), (_, "send", 1), (_, "answers", 1), (_, "log", 1),
            (_, "config", 1), (_, "reset", 1), (_, "members", 1), (_, "updates", 1), (_, "webhook", 1):
            outcome = .failure(ControlError(status: 405, reason: "method \(method) not allowed here"))
        default:
            outcome = .failure(.notFound("no such control route"))
        }

        switch outcome {
        case .success(let value): return .json(200, value)
        case .failure(let error): return .json(error.status, ["error": .string(error.reason)])
        }
    }

    private func body(_ request: HTTPRequest) -> Result<[String: JSONValue], ControlError> {
        if request.body.isEmpty { return .success([:]) }
        guard case .object(let members)? = JSONValue.parse(request.body) else {
            return .failure(.bad("the body must be a JSON object"))
        }
        return .success(members)
    }

    private func chatID(_ value: JSONValue?) -> Result<Int64, ControlError> {
        guard let value else { return .success(config.chatID) }
        guard let id = value.int64Value else { return .failure(.bad("chat_id must be an integer")) }
        guard id == config.chatID else { return .failure(.notFound("chat not found")) }
        return .success(id)
    }

    // MARK: Messages

    private func messages(_ query: [String: String]) -> Result<JSONValue, ControlError> {
        chatID(query["chat_id"].map(JSONValue.string)).map { _ in
            state.withLock { state in .array(state.messages.map(directory.record)) }
        }
    }

    private func message(_ id: String, _ query: [String: String]) -> Result<JSONValue, ControlError> {
        chatID(query["chat_id"].map(JSONValue.string)).flatMap { _ in
            guard let number = Int64(id) else { return .failure(.bad("message id must be an integer")) }
            guard let found = state.withLock({ $0.message(number) }) else {
                return .failure(.notFound("message not found"))
            }
            return .success(directory.record(found))
        }
    }

    private func clickRequest(_ body: [String: JSONValue]) -> Result<JSONValue, ControlError> {
        chatID(body["chat_id"]).flatMap { chat in
            guard let messageID = body["message_id"]?.int64Value, let userID = body["user_id"]?.int64Value,
                let data = body["data"]?.stringValue
            else { return .failure(.bad("message_id, user_id and data are required")) }
            return click(
                chatID: chat, messageID: messageID, userID: userID, data: data,
                stale: body["stale"]?.boolValue ?? false)
        }
    }

    private func sendRequest(_ body: [String: JSONValue]) -> Result<JSONValue, ControlError> {
        chatID(body["chat_id"]).flatMap { chat in
            guard let userID = body["user_id"]?.int64Value, let text = body["text"]?.stringValue else {
                return .failure(.bad("user_id and text are required"))
            }
            return userMessage(
                chatID: chat, userID: userID, text: text, replyTo: body["reply_to_message_id"]?.int64Value)
        }
    }

    // MARK: Log, settings, reset

    private func logJSON(method: String?) -> JSONValue {
        let entries = state.withLock { $0.log }
        let wanted = method.map { name in BotMethod(name: name)?.rawValue ?? name }
        return .array(entries.filter { wanted == nil || $0.method == wanted }.map(\.json))
    }

    private func settingsJSON() -> JSONValue {
        state.withLock { state in
            [
                "chat_rate": state.chatRate?.json ?? .null, "global_rate": state.globalRate?.json ?? .null,
                "server_error_rate": .double(state.serverErrorRate),
            ]
        }
    }

    private func configure(_ body: [String: JSONValue]) -> Result<JSONValue, ControlError> {
        var changes: [(inout SimState) -> Void] = []
        for key in ["chat_rate", "global_rate"] {
            guard let value = body[key] else { continue }
            switch Self.rate(value) {
            case .failure(let error):
                return .failure(error)
            case .success(let rate):
                changes.append { state in
                    if key == "chat_rate" {
                        state.chatRate = rate
                        state.chatWindows.removeAll()
                    } else {
                        state.globalRate = rate
                        state.globalWindow = rate.map(RateWindow.init)
                    }
                }
            }
        }
        if let value = body["server_error_rate"] {
            guard let rate = value.doubleValue, (0...1).contains(rate) else {
                return .failure(.bad("server_error_rate must be a number from 0 to 1"))
            }
            changes.append { $0.serverErrorRate = rate }
        }
        state.withLock { state in
            for change in changes { change(&state) }
        }
        return .success(settingsJSON())
    }

    private static func rate(_ value: JSONValue) -> Result<SimRate?, ControlError> {
        switch value {
        case .null:
            return .success(nil)
        case .string(let text):
            guard let rate = SimRate(parsing: text) else { return .failure(.bad("a rate reads like \"20/1m\"")) }
            return .success(rate)
        default:
            guard let count = value["count"]?.int64Value, count > 0, let per = value["per"]?.doubleValue, per > 0
            else { return .failure(.bad("a rate is {\"count\": N, \"per\": seconds}")) }
            return .success(SimRate(count: Int(count), per: per))
        }
    }

    private func reset() -> JSONValue {
        state.withLock { state in
            var fresh = SimState(config: config)
            // Update ids keep growing and query ids stay unique, so a bot that polled before the reset
            // (its offset above the old ids) or answers a query from before it is not confused.
            fresh.nextUpdateID = state.nextUpdateID
            fresh.random = state.random
            fresh.pollGeneration = state.pollGeneration
            fresh.deliveryThreadStarted = state.deliveryThreadStarted
            fresh.deliveryInFlight = state.deliveryInFlight
            state = fresh
        }
        wakeWaiters()
        return ["ok": true]
    }

    private func webhookJSON() -> JSONValue {
        let deliveries = state.withLock { $0.deliveries }
        return ["info": webhookInfo(), "deliveries": .array(deliveries.map(\.json))]
    }
}
