import Foundation

/// Telegram's `parse_mode=HTML`: turns message HTML into plain text and entities, or fails with the
/// description Telegram gives after `can't parse entities: `.
///
/// It follows the official parser's rules, byte by byte over the UTF-8 text:
/// - every `<` opens a tag; a tag name outside the supported set fails with its byte offset
///   (`1 < 2` → `Unsupported start tag "" at byte offset 2`);
/// - `&lt;` `&gt;` `&amp;` `&quot;` and numeric references decode, the `;` being optional; any other `&`,
///   and every `>` outside a tag, is plain text;
/// - an end tag must match the innermost open tag; `</>` closes whatever is open;
/// - tag and unquoted attribute values are case-insensitive, attribute names are not.
public enum HTMLEntityParser {
    /// Why the HTML was refused, in Telegram's words.
    public struct Failure: Error, Equatable, Sendable {
        public var description: String
    }

    static let supportedTags: Set<String> = [
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span", "pre",
        "code", "blockquote",
    ]

    /// Parses `html`; the text is not yet trimmed nor searched for mentions (see `TextFixing`).
    public static func parse(_ html: String) -> Result<FormattedText, Failure> {
        var parser = Parser(bytes: Array(html.utf8))
        do {
            return .success(try parser.run())
        } catch {
            return .failure(error)
        }
    }
}

// MARK: - The scanner

private struct OpenTag {
    var name: String
    var argument: String
    var utf16Offset: Int
    var outputStart: Int
}

private struct Parser {
    let bytes: [UInt8]
    var output: [UInt8] = []
    var utf16Offset = 0
    var open: [OpenTag] = []
    var entities: [MessageEntity] = []
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The byte at `position`, or 0 past the end (the official parser reads a C string).
    func at(_ position: Int) -> UInt8 { position < bytes.count ? bytes[position] : 0 }

    mutating func run() throws(HTMLEntityParser.Failure) -> FormattedText {
        if bytes.contains(0) { throw fail("Text must not contain null bytes") }

        while index < bytes.count {
            let byte = bytes[index]
            if byte == ascii("&"), let (code, next) = CharacterReference.decode(bytes, at: index) {
                try appendScalar(code)
                index = next
            } else if byte != ascii("<") {
                output.append(byte)
                if !UTF8Counting.isContinuation(byte) { utf16Offset += byte >= 0xF0 ? 2 : 1 }
                index += 1
            } else if at(index + 1) != ascii("/") {
                try startTag()
            } else {
                try endTag()
            }
        }
        if let innermost = open.last {
            throw fail("Can't find end tag corresponding to start tag \"\(innermost.name)\"")
        }

        for position in entities.indices where entities[position].kind == .code {
            entities[position].language = nil
        }
        return FormattedText(text: String(decoding: output, as: UTF8.self), entities: entities.sortedForTelegram())
    }

    private mutating func appendScalar(_ code: UInt32) throws(HTMLEntityParser.Failure) {
        guard let scalar = Unicode.Scalar(code) else {
            throw fail(
                "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched "
                    + "surrogate code units")
        }
        output.append(contentsOf: Array(String(Character(scalar)).utf8))
        utf16Offset += scalar.value > 0xFFFF ? 2 : 1
    }

    // MARK: Start tags

    private mutating func startTag() throws(HTMLEntityParser.Failure) {
        let begin = index
        index += 1
        while !isSpace(at(index)) && at(index) != ascii(">") { index += 1 }
        if at(index) == 0 { throw fail("Unclosed start tag at byte offset \(begin)") }

        let name = lowercased(begin + 1..<index)
        guard HTMLEntityParser.supportedTags.contains(name) else {
            throw fail("Unsupported start tag \"\(name)\" at byte offset \(begin)")
        }

        var argument = ""
        while at(index) != ascii(">") {
            while at(index) != 0 && isSpace(at(index)) { index += 1 }
            if at(index) == ascii(">") { break }

            let nameBegin = index
            while !isSpace(at(index)) && !"=>/\"'".utf8.contains(at(index)) { index += 1 }
            let attribute = String(decoding: bytes[nameBegin..<index], as: UTF8.self)
            if attribute.isEmpty {
                throw fail("Empty attribute name in the tag \"\(name)\" at byte offset \(begin)")
            }
            while at(index) != 0 && isSpace(at(index)) { index += 1 }
            if at(index) != ascii("=") {
                if at(index) == 0 { throw fail("Unclosed start tag \"\(name)\" at byte offset \(begin)") }
                if name == "blockquote" && attribute == "expandable" { argument = "1" }
                continue
            }
            index += 1
            while at(index) != 0 && isSpace(at(index)) { index += 1 }
            if at(index) == 0 { throw fail("Unclosed start tag \"\(name)\" at byte offset \(begin)") }

            let value = try attributeValue()
            if at(index) == 0 { throw fail("Unclosed start tag at byte offset \(begin)") }
            argument = Self.argument(tag: name, attribute: attribute, value: value) ?? argument
        }

        if name == "span" && argument != "spoiler" {
            throw fail("Tag \"span\" must have class \"tg-spoiler\" at byte offset \(begin)")
        }
        open.append(OpenTag(name: name, argument: argument, utf16Offset: utf16Offset, outputStart: output.count))
        index += 1
    }

    /// A quoted string (references decoded) or a name token (lower-cased).
    private mutating func attributeValue() throws(HTMLEntityParser.Failure) -> String {
        let quote = at(index)
        guard quote == ascii("\"") || quote == ascii("'") else {
            let tokenBegin = index
            while isAlphanumeric(at(index)) || at(index) == ascii(".") || at(index) == ascii("-") { index += 1 }
            if !isSpace(at(index)) && at(index) != ascii(">") {
                throw fail("Unexpected end of name token at byte offset \(tokenBegin)")
            }
            return lowercased(tokenBegin..<index)
        }

        index += 1
        var value: [UInt8] = []
        while at(index) != quote && at(index) != 0 {
            if at(index) == ascii("&"), let (code, next) = CharacterReference.decode(bytes, at: index),
                let scalar = Unicode.Scalar(code)
            {
                value.append(contentsOf: Array(String(Character(scalar)).utf8))
                index = next
                continue
            }
            value.append(at(index))
            index += 1
        }
        if at(index) == quote { index += 1 }
        return String(decoding: value, as: UTF8.self)
    }

    /// The one attribute each tag keeps: `href`, a code language, the spoiler class, an emoji id.
    private static func argument(tag: String, attribute: String, value: String) -> String? {
        switch (tag, attribute) {
        case ("a", "href"): return value
        case ("code", "class") where value.hasPrefix("language-"): return String(value.dropFirst(9))
        case ("span", "class") where value.hasPrefix("tg-"): return String(value.dropFirst(3))
        case ("tg-emoji", "emoji-id"): return value
        case ("blockquote", "expandable"): return "1"
        default: return nil
        }
    }

    // MARK: End tags

    private mutating func endTag() throws(HTMLEntityParser.Failure) {
        let begin = index
        guard let tag = open.last else { throw fail("Unexpected end tag at byte offset \(begin)") }

        index += 1
        while !isSpace(at(index)) && at(index) != ascii(">") { index += 1 }
        let endName = lowercased(begin + 2..<index)
        while isSpace(at(index)) && at(index) != 0 { index += 1 }
        if at(index) != ascii(">") { throw fail("Unclosed end tag at byte offset \(begin)") }
        if !endName.isEmpty && endName != tag.name {
            throw fail(
                "Unmatched end tag at byte offset \(begin), expected \"</\(tag.name)>\", found \"</\(endName)>\"")
        }

        if utf16Offset > tag.utf16Offset { try close(tag) }
        open.removeLast()
        index += 1
    }

    private mutating func close(_ tag: OpenTag) throws(HTMLEntityParser.Failure) {
        let offset = tag.utf16Offset
        let length = utf16Offset - offset
        let span = MessageEntity(.bold, offset: offset, length: length)

        switch tag.name {
        case "b", "strong": entities.append(span)
        case "i", "em": entities.append(with(span, .italic))
        case "u", "ins": entities.append(with(span, .underline))
        case "s", "strike", "del": entities.append(with(span, .strikethrough))
        case "tg-spoiler", "span": entities.append(with(span, .spoiler))
        case "blockquote": entities.append(with(span, tag.argument.isEmpty ? .blockquote : .expandableBlockquote))
        case "tg-emoji":
            guard let id = Int64(tag.argument), id != 0 else {
                throw fail("Invalid custom emoji identifier specified")
            }
            entities.append(MessageEntity(.customEmoji, offset: offset, length: length, customEmojiID: String(id)))
        case "a":
            let target =
                tag.argument.isEmpty
                ? String(decoding: output[tag.outputStart...], as: UTF8.self) : tag.argument
            if let user = Links.userID(target) {
                entities.append(MessageEntity(.textMention, offset: offset, length: length, userID: user))
            } else if let url = Links.checked(target) {
                entities.append(MessageEntity(.textLink, offset: offset, length: length, url: url))
            }
        case "pre":
            if let last = entities.last, last.kind == .code, last.offset == offset, last.length == length,
                last.language != nil
            {
                entities[entities.count - 1].kind = .pre
            } else {
                entities.append(with(span, .pre))
            }
        default:  // code
            if let last = entities.last, last.kind == .pre, last.offset == offset, last.length == length,
                !tag.argument.isEmpty
            {
                entities[entities.count - 1].language = tag.argument
            } else {
                let language = tag.argument.isEmpty ? nil : tag.argument
                entities.append(MessageEntity(.code, offset: offset, length: length, language: language))
            }
        }
    }

    // MARK: Helpers

    private func with(_ entity: MessageEntity, _ kind: MessageEntity.Kind) -> MessageEntity {
        var copy = entity
        copy.kind = kind
        return copy
    }

    private func lowercased(_ range: Range<Int>) -> String {
        String(decoding: bytes[range].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private func fail(_ text: String) -> HTMLEntityParser.Failure {
        HTMLEntityParser.Failure(description: text)
    }
}

// MARK: - Character references

enum CharacterReference {
    /// Decodes `&…` at `position`: the code point and the index after it (after `;` when there is one).
    ///
    /// Numeric references must be non-zero, below U+10FFFF and under ten bytes long; named ones are
    /// `lt`, `gt`, `amp`, `quot` only. Anything else is not a reference and stays text.
    static func decode(_ bytes: [UInt8], at position: Int) -> (UInt32, Int)? {
        func at(_ index: Int) -> UInt8 { index < bytes.count ? bytes[index] : 0 }
        var end = position + 1
        var code: UInt32 = 0

        if at(end) == ascii("#") {
            end += 1
            let hexadecimal = at(end) == ascii("x")
            if hexadecimal { end += 1 }
            while let digit = digitValue(at(end), hexadecimal: hexadecimal) {
                code = code &* (hexadecimal ? 16 : 10) &+ digit
                if code > 0x10FFFF { code = 0x10FFFF }
                end += 1
            }
            if code == 0 || code >= 0x10FFFF || end - position >= 10 { return nil }
        } else {
            while isLetter(at(end)) { end += 1 }
            switch String(decoding: bytes[(position + 1)..<min(end, bytes.count)], as: UTF8.self) {
            case "lt": code = 0x3C
            case "gt": code = 0x3E
            case "amp": code = 0x26
            case "quot": code = 0x22
            default: return nil
            }
        }
        return (code, at(end) == ascii(";") ? end + 1 : end)
    }

    private static func digitValue(_ byte: UInt8, hexadecimal: Bool) -> UInt32? {
        switch byte {
        case ascii("0")...ascii("9"): return UInt32(byte - ascii("0"))
        case ascii("a")...ascii("f") where hexadecimal: return UInt32(byte - ascii("a") + 10)
        case ascii("A")...ascii("F") where hexadecimal: return UInt32(byte - ascii("A") + 10)
        default: return nil
        }
    }
}

// MARK: - Links

enum Links {
    /// The user id of a `tg://user?id=N` link.
    static func userID(_ link: String) -> Int64? {
        let lower = link.lowercased()
        let prefix = "tg://user?id="
        guard lower.hasPrefix(prefix) else { return nil }
        let digits = lower.dropFirst(prefix.count).prefix { $0.isASCII && $0.isNumber }
        guard let id = Int64(digits), id > 0 else { return nil }
        return id
    }

    /// The link a `text_link` keeps, or nil when Telegram would drop it.
    ///
    /// Simplified: http, https, tg, ton, ftp and mailto links are kept as written; a bare host gains
    /// `http://`; anything else (javascript:, spaces, no dot) is dropped, the text staying plain.
    static func checked(_ link: String) -> String? {
        let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.contains(" ") else { return nil }
        if let colon = trimmed.firstIndex(of: ":") {
            let scheme = trimmed[..<colon]
            if !scheme.isEmpty && scheme.allSatisfy({ $0.isASCII && $0.isLetter }) {
                return ["http", "https", "tg", "ton", "ftp", "mailto"].contains(scheme.lowercased()) ? trimmed : nil
            }
        }
        return trimmed.contains(".") ? "http://" + trimmed : nil
    }
}

// MARK: - Byte classes

@inline(__always) func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }

/// The official parser's whitespace, which includes the terminating NUL.
private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0
}

private func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
}

private func isAlphanumeric(_ byte: UInt8) -> Bool {
    isLetter(byte) || (byte >= 48 && byte <= 57)
}

enum UTF8Counting {
    static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
