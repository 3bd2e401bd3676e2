import JSON

/// A Bot API failure: its HTTP status, Telegram's description, and `parameters` such as `retry_after`.
struct BotError: Error, Equatable {
    var code: Int
    var description: String
    var parameters: [String: JSONValue] = [:]

    static func badRequest(_ text: String) -> BotError {
        BotError(code: 400, description: "Bad Request: " + text)
    }

    static func forbidden(_ text: String) -> BotError {
        BotError(code: 403, description: "Forbidden: " + text)
    }

    static func conflict(_ text: String) -> BotError {
        BotError(code: 409, description: "Conflict: " + text)
    }

    static let unauthorized = BotError(code: 401, description: "Unauthorized")
    static let notFound = BotError(code: 404, description: "Not Found")
    static let internalError = BotError(code: 500, description: "Internal Server Error")

    static func tooManyRequests(retryAfter: Int) -> BotError {
        BotError(
            code: 429, description: "Too Many Requests: retry after \(retryAfter)",
            parameters: ["retry_after": .int(Int64(retryAfter))])
    }

    static func migrated(to chatID: Int64) -> BotError {
        BotError(
            code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat",
            parameters: ["migrate_to_chat_id": .int(chatID)])
    }

    // MARK: - Telegram's exact wording

    static let chatNotFound = badRequest("chat not found")
    static let chatIDEmpty = badRequest("chat_id is empty")
    static let textEmpty = badRequest("message text is empty")
    static let textMustBeNonEmpty = badRequest("text must be non-empty")
    static let messageTooLong = badRequest("message is too long")
    static let messageToEditNotFound = badRequest("message to edit not found")
    static let messageIdentifierMissing = badRequest("message identifier is not specified")
    static let replyTargetNotFound = badRequest("message to be replied not found")
    static let buttonDataInvalid = badRequest("BUTTON_DATA_INVALID")
    static let buttonURLInvalid = badRequest("BUTTON_URL_INVALID")
    static let keyboardUnreadable = badRequest("can't parse reply keyboard markup JSON object")
    static let unsupportedParseMode = badRequest("unsupported parse_mode")
    static let notModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a "
            + "current content and reply markup of the message")
    static let queryTooOld = badRequest(
        "query is too old and response timeout expired or query ID is invalid")
    static let callbackAnswerTooLong = badRequest("MESSAGE_TOO_LONG")
    static let pollTerminated = conflict(
        "terminated by other getUpdates request; make sure that only one bot instance is running")
    static let webhookActive = conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    static let botCantInitiate = forbidden("bot can't initiate conversation with a user")

    static func cantParseEntities(_ detail: String) -> BotError {
        badRequest("can't parse entities: " + detail)
    }

    /// The answer body: `{"ok":false,"error_code":…,"description":…,"parameters":…}`.
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "ok": false, "error_code": .int(Int64(code)), "description": .string(description),
        ]
        if !parameters.isEmpty { members["parameters"] = .object(parameters) }
        return .object(members)
    }
}
