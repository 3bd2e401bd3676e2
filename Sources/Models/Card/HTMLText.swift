/// Text for Telegram's HTML parse mode, built from pieces whose visible length is known.
///
/// Untrusted text (labels, annotations) enters only through `escaped`, which replaces `<`, `>`, `&` and `"`
/// by entities, so alert text can never open a tag. Tags come only from the `tag` helpers here.
public struct HTMLText: Sendable, Equatable {
    public private(set) var html: String
    /// Characters a reader sees after entity parsing, counted in UTF-16 units (what Telegram counts for
    /// entity offsets; never fewer than Unicode scalars, so a limit checked on it holds either way).
    public private(set) var visibleLength: Int

    public init() {
        html = ""
        visibleLength = 0
    }

    /// Untrusted text, escaped; cut to `limit` visible characters with "…" when longer. Control characters
    /// other than newline and tab are dropped: Telegram strips or refuses them.
    public static func escaped(_ text: String, limit: Int = .max) -> HTMLText {
        var source = text
        if source.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
            source = String(
                String.UnicodeScalarView(
                    source.unicodeScalars.filter {
                        $0.value >= 0x20 || $0 == "\n" || $0 == "\t"
                    }))
        }
        if source.utf16.count > limit {
            var cut = ""
            var used = 0
            for character in source {
                let size = character.utf16.count
                if used + size > limit - 1 { break }
                cut.append(character)
                used += size
            }
            source = cut + "…"
        }
        var out = HTMLText()
        out.visibleLength = source.utf16.count
        out.html.reserveCapacity(source.utf8.count)
        for character in source {
            switch character {
            case "<": out.html += "&lt;"
            case ">": out.html += "&gt;"
            case "&": out.html += "&amp;"
            case "\"": out.html += "&quot;"
            default: out.html.append(character)
            }
        }
        return out
    }

    /// Text the project wrote itself, known to hold no `<` or `&`.
    public static func plain(_ text: String) -> HTMLText { escaped(text) }

    /// `content` inside `<name>…</name>`: `b`, `i`, `code`.
    public static func tag(_ name: String, _ content: HTMLText) -> HTMLText {
        var out = content
        out.html = "<\(name)>" + content.html + "</\(name)>"
        return out
    }

    /// A link; `url` is escaped as an attribute value.
    public static func link(_ url: String, _ content: HTMLText) -> HTMLText {
        var out = content
        out.html = "<a href=\"\(escaped(url).html)\">" + content.html + "</a>"
        return out
    }

    public static func + (lhs: HTMLText, rhs: HTMLText) -> HTMLText {
        var out = lhs
        out.html += rhs.html
        out.visibleLength += rhs.visibleLength
        return out
    }

    public static func += (lhs: inout HTMLText, rhs: HTMLText) { lhs = lhs + rhs }

    public static func joined(_ parts: [HTMLText], separator: String) -> HTMLText {
        var out = HTMLText()
        for (index, part) in parts.enumerated() {
            if index > 0 { out += .plain(separator) }
            out += part
        }
        return out
    }
}
