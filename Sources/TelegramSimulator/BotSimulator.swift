import Foundation
import HTTPServer
import JSON
import Synchronization

/// A stand-in for the Telegram Bot API and one group chat, for tests and the demo.
///
/// It answers `/bot<token>/<method>` the way the Bot API does (same paths, bodies, error codes and
/// descriptions), keeps the group's messages with their edit history, and offers a control interface
/// under `/sim/` (click a button as a member, post a command, read the request log) and a chat page at `/`.
/// It does no I/O: an HTTP server hands it requests, and webhook updates leave through `deliver`.
///
/// `handle` is safe to call from many threads at once and may block: `getUpdates` long-polls.
///
/// Known deviations from Telegram, on purpose:
/// - one group chat only; other chat ids are `chat not found`, a member's id is `bot can't initiate
///   conversation with a user`;
/// - `parse_mode` is HTML or none (Markdown modes answer `unsupported parse_mode`); explicit `entities`
///   are ignored; only mentions and bot commands are found in plain text (no URLs, hashtags, emails);
/// - `<a href>` links are checked loosely (see `Links.checked`); `tg://user?id=` mentions of people who
///   are not members render as plain text;
/// - webhooks may use `http://` on loopback hosts, on any port; updates are delivered one at a time, in order;
/// - `getUpdates` accepts a fractional `timeout`, and waits in real time whatever the injected clock says;
/// - `multipart/form-data` bodies are not read;
/// - limits are sliding windows (`RateWindow`): every accepted send and edit counts against the chat's and
///   the bot's window, refused calls count against neither;
/// - a 500 from `serverErrorRate` means nothing was stored (a real 500 might hide a sent message).
public final class BotSimulator: Sendable {
    let config: SimulatorConfig
    let directory: ChatDirectory
    let clock: @Sendable () -> Double
    let deliver: (@Sendable (_ url: String, _ secret: String?, _ body: [UInt8]) -> Int)?
    let chatInstance: String
    let state: Mutex<SimState>
    /// Wakes long polls and the webhook thread when updates arrive or the webhook changes.
    let signal = NSCondition()

    /// - Parameters:
    ///   - config: the bot, the group and its limits.
    ///   - clock: seconds since 1970; message dates, rate limits and callback query ages follow it.
    ///   - deliver: posts one webhook update (`url`, the secret for `X-Telegram-Bot-Api-Secret-Token`, the
    ///     JSON body) and returns the HTTP status, 0 when the connection failed. Without it updates
    ///     wait in the queue while a webhook is set.
    public init(
        config: SimulatorConfig, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        deliver: (@Sendable (_ url: String, _ secret: String?, _ body: [UInt8]) -> Int)? = nil
    ) {
        self.config = config
        self.directory = ChatDirectory(config: config)
        self.clock = clock
        self.deliver = deliver
        var random = SimRandom(seed: config.seed ^ 0x5EED)
        self.chatInstance = String(Int64.random(in: Int64.min / 2...(-1), using: &random))
        self.state = Mutex(SimState(config: config))
    }

    /// Answers one HTTP request: the Bot API, the `/sim/` control interface, or the chat page.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var path = request.path
        var query = request.query
        if let mark = path.firstIndex(of: "?") {
            query.merge(FormDecoding.decode(String(path[path.index(after: mark)...]))) { given, _ in given }
            path = String(path[..<mark])
        }

        if path == "/" || path == "/index.html" {
            return ChatPage.response(title: config.chatTitle)
        }
        if path == "/sim" || path.hasPrefix("/sim/") {
            return handleControl(request, path: path, query: query)
        }
        if path.hasPrefix("/bot") {
            return handleBotAPI(request, route: path.dropFirst(4), query: query)
        }
        return .json(404, BotError.notFound.json)
    }

    /// Stops the webhook thread and releases waiting long polls (they answer with no updates).
    public func shutdown() {
        state.withLock { $0.stopped = true }
        wakeWaiters()
    }

    /// The request log so far, oldest first.
    public func requestLog() -> [LogEntry] {
        state.withLock { $0.log }
    }

    func wakeWaiters() {
        signal.lock()
        signal.broadcast()
        signal.unlock()
    }
}

// MARK: - Bot API dispatch

/// The Bot API methods the simulator knows; names match case-insensitively, as in Telegram.
enum BotMethod: String, CaseIterable {
    case getMe, getChat, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery
    case getUpdates, setWebhook, deleteWebhook, getWebhookInfo

    init?(name: String) {
        let lower = name.lowercased()
        guard let found = BotMethod.allCases.first(where: { $0.rawValue.lowercased() == lower }) else { return nil }
        self = found
    }

    /// The calls that fault injection (`serverErrorRate`) applies to.
    var sendsOrEdits: Bool {
        self == .sendMessage || self == .editMessageText || self == .editMessageReplyMarkup
    }
}

/// A successful call: its `result`, and what the request log notes about it.
struct BotReply {
    var result: JSONValue
    var description: String?
    var chatID: Int64?
    var messageID: Int64?
}

extension BotSimulator {
    fileprivate func handleBotAPI(_ request: HTTPRequest, route: Substring, query: [String: String]) -> HTTPResponse {
        let parts = route.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let token = parts.first.map(String.init) ?? ""
        let name = parts.count > 1 ? String(parts[1]) : ""
        let method = BotMethod(name: name)
        let tokenMatches = token == config.token
        // A mangled path can put the token where the method belongs: only a plain word is ever logged.
        let plainWord = !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && $0.isLetter }
        let logName = method?.rawValue ?? (tokenMatches && plainWord ? name : "unknown")

        guard tokenMatches else { return finish(logName, nil, .failure(.unauthorized)) }
        guard let method else { return finish(logName, nil, .failure(.notFound)) }
        switch BotParameters.read(request, query: query) {
        case .failure(let error):
            return finish(logName, nil, .failure(error))
        case .success(let parameters):
            return finish(logName, parameters, call(method, parameters))
        }
    }

    private func call(_ method: BotMethod, _ parameters: BotParameters) -> Result<BotReply, BotError> {
        if method.sendsOrEdits && state.withLock({ $0.random.chance($0.serverErrorRate) }) {
            return .failure(.internalError)
        }
        switch method {
        case .getMe: return .success(BotReply(result: getMeResult()))
        case .getChat: return getChat(parameters)
        case .sendMessage: return sendMessage(parameters)
        case .editMessageText: return editMessageText(parameters)
        case .editMessageReplyMarkup: return editMessageReplyMarkup(parameters)
        case .answerCallbackQuery: return answerCallbackQuery(parameters)
        case .getUpdates: return getUpdates(parameters)
        case .setWebhook: return setWebhook(parameters)
        case .deleteWebhook: return deleteWebhook(parameters)
        case .getWebhookInfo: return .success(BotReply(result: webhookInfo()))
        }
    }

    /// Logs the call and writes Telegram's envelope.
    private func finish(_ method: String, _ parameters: BotParameters?, _ outcome: Result<BotReply, BotError>)
        -> HTTPResponse
    {
        var entry = LogEntry(
            time: clock(), method: method, chatID: parameters?.int64("chat_id"),
            messageID: parameters?.int64("message_id"), status: 200)
        let response: HTTPResponse
        switch outcome {
        case .success(let reply):
            entry.chatID = reply.chatID ?? entry.chatID
            entry.messageID = reply.messageID ?? entry.messageID
            var body: [String: JSONValue] = ["ok": true, "result": reply.result]
            if let description = reply.description { body["description"] = .string(description) }
            response = .json(200, .object(body))
        case .failure(let error):
            entry.status = error.code
            entry.description = error.description
            entry.retryAfter = error.parameters["retry_after"]?.int64Value.map { Int($0) }
            response = .json(error.code, error.json)
        }
        state.withLock { $0.append(entry) }
        return response
    }

    private func getMeResult() -> JSONValue {
        guard case .object(var members) = directory.bot else { return directory.bot }
        members["can_join_groups"] = true
        members["can_read_all_group_messages"] = false
        members["supports_inline_queries"] = false
        return .object(members)
    }

    private func getChat(_ parameters: BotParameters) -> Result<BotReply, BotError> {
        guard let chat = parameters.string("chat_id"), !chat.isEmpty else { return .failure(.chatIDEmpty) }
        return resolveChat(chat).map { BotReply(result: directory.chat, chatID: $0) }
    }

    /// The group's id for a `chat_id` parameter, or Telegram's refusal.
    func resolveChat(_ parameter: String) -> Result<Int64, BotError> {
        guard let id = Int64(parameter.trimmingCharacters(in: .whitespaces)) else { return .failure(.chatNotFound) }
        if id == config.chatID { return .success(id) }
        if let old = config.migratedFromChatID, id == old { return .failure(.migrated(to: config.chatID)) }
        if directory.member(id) != nil { return .failure(.botCantInitiate) }
        return .failure(.chatNotFound)
    }
}
