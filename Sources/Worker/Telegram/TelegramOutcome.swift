import Foundation
import JSON

/// Every Bot API answer, sorted by what the caller must do next.
public enum TelegramOutcome: Sendable, Equatable {
    /// Done; `result` is the JSON of the answer's `result` field.
    case ok(result: [String: JSONValue])
    /// 429: wait this many seconds before any send to the chat.
    case retryAfter(seconds: Int)
    /// 5xx or a network error before sending: try again with backoff.
    case retry(reason: String)
    /// A timeout or reset after the request left: Telegram may have acted on it.
    case maybeSent(reason: String)
    /// The group became a supergroup with this id: send there from now on.
    case migrated(toChat: Int64)
    /// 4xx other than 429: the same request will never succeed.
    case permanent(code: Int, description: String)

    /// The outcome's name in metrics.
    var metricLabel: String {
        switch self {
        case .ok: "sent"
        case .retryAfter: "retry_after"
        case .retry: "retry"
        case .maybeSent: "maybe_sent"
        case .migrated: "migrated"
        case .permanent: "permanent"
        }
    }

    /// `editMessageText` with the content Telegram already shows counts as done.
    static let notModifiedPrefix = "Bad Request: message is not modified"
}
