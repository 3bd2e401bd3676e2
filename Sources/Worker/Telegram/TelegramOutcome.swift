import Foundation

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

/// A JSON value from a Bot API answer, enough to read ids and nested objects.
public enum JSONValue: Sendable, Equatable, Decodable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case object([String: JSONValue])
    case array([JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public var int: Int64? {
        if case .number(let value) = self { return Int64(value) }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public subscript(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}
