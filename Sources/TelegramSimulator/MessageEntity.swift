import JSON

/// One formatting span of a message, as the Bot API reports it.
///
/// Offsets and lengths count UTF-16 code units, as in Telegram.
public struct MessageEntity: Sendable, Equatable {
    /// The Bot API's entity types this simulator produces.
    public enum Kind: String, Sendable {
        case bold, italic, underline, strikethrough, spoiler, code, pre, blockquote
        case expandableBlockquote = "expandable_blockquote"
        case textLink = "text_link"
        case textMention = "text_mention"
        case customEmoji = "custom_emoji"
        case mention
        case botCommand = "bot_command"
    }

    public var kind: Kind
    public var offset: Int
    public var length: Int
    /// `text_link` only.
    public var url: String?
    /// `text_mention` only.
    public var userID: Int64?
    /// `pre` with a language only.
    public var language: String?
    /// `custom_emoji` only.
    public var customEmojiID: String?

    public init(
        _ kind: Kind, offset: Int, length: Int, url: String? = nil, userID: Int64? = nil, language: String? = nil,
        customEmojiID: String? = nil
    ) {
        self.kind = kind
        self.offset = offset
        self.length = length
        self.url = url
        self.userID = userID
        self.language = language
        self.customEmojiID = customEmojiID
    }

    var end: Int { offset + length }

    /// The Bot API `MessageEntity` object; `user` is filled from the chat's members.
    func json(user: (Int64) -> JSONValue) -> JSONValue {
        .compact([
            "type": .string(kind.rawValue), "offset": .int(Int64(offset)), "length": .int(Int64(length)),
            "url": .from(url), "language": .from(language), "custom_emoji_id": .from(customEmojiID),
            "user": userID.map(user) ?? .null,
        ])
    }
}

/// Text with its entities: what a message shows.
public struct FormattedText: Sendable, Equatable {
    public var text: String
    public var entities: [MessageEntity]

    public init(text: String, entities: [MessageEntity] = []) {
        self.text = text
        self.entities = entities
    }

    /// Length in Unicode code points, the unit of Telegram's 4096 limit.
    public var characterCount: Int { text.unicodeScalars.count }
}

extension Array where Element == MessageEntity {
    /// Telegram's order: by offset, longer (enclosing) entities first.
    func sortedForTelegram() -> [MessageEntity] {
        enumerated().sorted { left, right in
            if left.element.offset != right.element.offset { return left.element.offset < right.element.offset }
            if left.element.length != right.element.length { return left.element.length > right.element.length }
            return left.offset < right.offset
        }.map(\.element)
    }
}
