/// What Telegram does to a message's text after parsing: trimming, the empty and length checks, and the
/// entities it finds by itself (`@username` mentions and `/commands`).
enum TextFixing {
    /// Telegram's limit for a text message, in Unicode code points after parsing and trimming.
    static let maxLength = 4096

    /// Trims the text, drops entities left empty, and adds mentions and bot commands.
    ///
    /// Trailing whitespace goes; leading spaces and newlines go up to the first entity. Text that is
    /// whitespace only fails with `text must be non-empty`.
    static func finish(_ input: FormattedText) -> Result<FormattedText, BotError> {
        let scalars = Array(input.text.unicodeScalars)
        let starts = utf16Starts(scalars)
        var entities = input.entities.filter { $0.length > 0 }

        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else {
            return .failure(.textMustBeNonEmpty)
        }
        let end = starts[last + 1]
        entities = entities.filter { $0.offset < end }.map { entity in
            var clipped = entity
            clipped.length = min(entity.length, end - entity.offset)
            return clipped
        }

        let firstEntity = entities.map(\.offset).min() ?? end
        var lead = 0
        while lead < last, starts[lead] < firstEntity, scalars[lead] == " " || scalars[lead] == "\n" { lead += 1 }
        entities = entities.map { entity in
            var shifted = entity
            shifted.offset -= lead
            return shifted
        }

        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[lead...last])
        let trimmed = FormattedText(text: String(text), entities: entities)
        return .success(addingFoundEntities(to: trimmed))
    }

    /// `message is too long` when the text has more than 4096 code points.
    static func lengthError(_ text: FormattedText) -> BotError? {
        text.characterCount > maxLength ? .messageTooLong : nil
    }

    // MARK: - Mentions and commands

    /// Adds `mention` and `bot_command` entities that do not cross code, pre or links.
    static func addingFoundEntities(to input: FormattedText) -> FormattedText {
        let scalars = Array(input.text.unicodeScalars)
        let starts = utf16Starts(scalars)
        let blocking: Set<MessageEntity.Kind> = [.code, .pre, .textLink, .textMention, .customEmoji]
        let blockers = input.entities.filter { blocking.contains($0.kind) }

        let found = (mentions(scalars) + commands(scalars)).compactMap { range -> MessageEntity? in
            let offset = starts[range.lowerBound]
            let length = starts[range.upperBound] - offset
            if blockers.contains(where: { $0.offset < offset + length && offset < $0.end }) { return nil }
            return MessageEntity(range.kind, offset: offset, length: length)
        }
        return FormattedText(text: input.text, entities: (input.entities + found).sortedForTelegram())
    }

    private struct Found {
        var lowerBound: Int
        var upperBound: Int
        var kind: MessageEntity.Kind
    }

    /// `@name` of 2–32 letters, digits or underscores, not inside a word.
    private static func mentions(_ scalars: [Unicode.Scalar]) -> [Found] {
        var result: [Found] = []
        for start in scalars.indices where scalars[start] == "@" {
            if start > 0 && isWordCharacter(scalars[start - 1]) { continue }
            let end = scanName(scalars, from: start + 1)
            let size = end - start - 1
            guard size >= 2 && size <= 32 else { continue }
            if end < scalars.count && isWordCharacter(scalars[end]) { continue }
            result.append(Found(lowerBound: start, upperBound: end, kind: .mention))
        }
        return result
    }

    /// `/command` of 1–64 name characters, optionally `@botname` of 3–32.
    private static func commands(_ scalars: [Unicode.Scalar]) -> [Found] {
        func isFence(_ scalar: Unicode.Scalar) -> Bool {
            isWordCharacter(scalar) || scalar == "/" || scalar == "<" || scalar == ">"
        }
        var result: [Found] = []
        for start in scalars.indices where scalars[start] == "/" {
            if start > 0 && isFence(scalars[start - 1]) { continue }
            var end = scanName(scalars, from: start + 1)
            guard (1...64).contains(end - start - 1) else { continue }
            if end < scalars.count && scalars[end] == "@" {
                let botEnd = scanName(scalars, from: end + 1)
                guard (3...32).contains(botEnd - end - 1) else { continue }
                end = botEnd
            }
            if end < scalars.count && isFence(scalars[end]) { continue }
            result.append(Found(lowerBound: start, upperBound: end, kind: .botCommand))
        }
        return result
    }

    private static func scanName(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        while end < scalars.count, scalars[end].isASCII,
            scalars[end].properties.isAlphabetic || ("0"..."9").contains(scalars[end]) || scalars[end] == "_"
        {
            end += 1
        }
        return end
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The UTF-16 offset where each scalar starts, plus the total length at the end.
    static func utf16Starts(_ scalars: [Unicode.Scalar]) -> [Int] {
        var starts = [0]
        starts.reserveCapacity(scalars.count + 1)
        for scalar in scalars { starts.append(starts.last! + (scalar.value > 0xFFFF ? 2 : 1)) }
        return starts
    }
}
