import HTTPServer
import JSON
import Testing

@testable import TelegramSimulator

/// One valid input and what Telegram makes of it.
struct ParseCase: Sendable, CustomTestStringConvertible {
    var html: String
    var text: String
    var entities: [MessageEntity]

    var testDescription: String { html }
}

private func entity(_ kind: MessageEntity.Kind, _ offset: Int, _ length: Int) -> MessageEntity {
    MessageEntity(kind, offset: offset, length: length)
}

@Suite("HTML parse mode")
struct HTMLEntityParserTests {
    static let valid: [ParseCase] = [
        ParseCase(html: "<b>bold</b> text", text: "bold text", entities: [entity(.bold, 0, 4)]),
        ParseCase(
            html: "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><s>e</s><strike>f</strike><u>g</u><i>h</i>",
            text: "abcdefgh",
            entities: [
                entity(.bold, 0, 1), entity(.italic, 1, 1), entity(.underline, 2, 1), entity(.strikethrough, 3, 1),
                entity(.strikethrough, 4, 1), entity(.strikethrough, 5, 1), entity(.underline, 6, 1),
                entity(.italic, 7, 1),
            ]),
        ParseCase(html: "<b>x <i>y</i></b>", text: "x y", entities: [entity(.bold, 0, 3), entity(.italic, 2, 1)]),
        ParseCase(html: "<B>upper</B>", text: "upper", entities: [entity(.bold, 0, 5)]),
        ParseCase(html: "<b >spaced</b >", text: "spaced", entities: [entity(.bold, 0, 6)]),
        ParseCase(html: "<b>closed by</>", text: "closed by", entities: [entity(.bold, 0, 9)]),
        ParseCase(html: "<b></b>empty tag", text: "empty tag", entities: []),
        ParseCase(
            html: "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;ok&quot;", text: "1 < 2 && 3 > 2 \"ok\"", entities: []),
        ParseCase(html: "&lt without semicolon", text: "< without semicolon", entities: []),
        ParseCase(html: "&#65;&#x42;&#x1F600;", text: "AB😀", entities: []),
        ParseCase(html: "a & b > c &nbsp; &#0; &#x;", text: "a & b > c &nbsp; &#0; &#x;", entities: []),
        ParseCase(html: "😀<b>x</b>", text: "😀x", entities: [entity(.bold, 2, 1)]),
        ParseCase(html: "é<i>é</i>", text: "éé", entities: [entity(.italic, 1, 1)]),
        ParseCase(
            html: "<a href=\"https://example.com/?a=1&amp;b=2\">link</a>", text: "link",
            entities: [MessageEntity(.textLink, offset: 0, length: 4, url: "https://example.com/?a=1&b=2")]),
        ParseCase(
            html: "<a href='tg://user?id=100003'>Tang</a>", text: "Tang",
            entities: [MessageEntity(.textMention, offset: 0, length: 4, userID: 100003)]),
        ParseCase(html: "<a href=\"javascript:alert(1)\">x</a>", text: "x", entities: []),
        ParseCase(
            html: "<pre><code class=\"language-swift\">let x</code></pre>", text: "let x",
            entities: [MessageEntity(.pre, offset: 0, length: 5, language: "swift")]),
        ParseCase(html: "<code class=\"language-go\">x</code>", text: "x", entities: [entity(.code, 0, 1)]),
        ParseCase(html: "<pre>block</pre>", text: "block", entities: [entity(.pre, 0, 5)]),
        ParseCase(html: "<span class=\"tg-spoiler\">s</span>", text: "s", entities: [entity(.spoiler, 0, 1)]),
        ParseCase(html: "<span class=tg-spoiler>s</span>", text: "s", entities: [entity(.spoiler, 0, 1)]),
        ParseCase(html: "<tg-spoiler>s</tg-spoiler>", text: "s", entities: [entity(.spoiler, 0, 1)]),
        ParseCase(html: "<blockquote>q</blockquote>", text: "q", entities: [entity(.blockquote, 0, 1)]),
        ParseCase(
            html: "<blockquote expandable>q</blockquote>", text: "q", entities: [entity(.expandableBlockquote, 0, 1)]),
        ParseCase(
            html: "<tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>", text: "👍",
            entities: [MessageEntity(.customEmoji, offset: 0, length: 2, customEmojiID: "5368324170671202286")]),
    ]

    @Test(arguments: valid)
    func parsesValidHTML(_ example: ParseCase) throws {
        let parsed = try HTMLEntityParser.parse(example.html).get()
        #expect(parsed.text == example.text)
        #expect(parsed.entities == example.entities)
    }

    static let invalid: [(String, String)] = [
        ("1 < 2", "Unsupported start tag \"\" at byte offset 2"),
        ("é < 1", "Unsupported start tag \"\" at byte offset 3"),
        ("<div>x</div>", "Unsupported start tag \"div\" at byte offset 0"),
        ("<b>bold", "Can't find end tag corresponding to start tag \"b\""),
        ("<b><i>x</b></i>", "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"),
        ("<a href=x\"y>z</a>", "Unexpected end of name token at byte offset 8"),
        ("<a href=\"x\" =y>z</a>", "Empty attribute name in the tag \"a\" at byte offset 0"),
        ("<a href", "Unclosed start tag \"a\" at byte offset 0"),
        ("<tg-emoji emoji-id=\"x\">e</tg-emoji>", "Invalid custom emoji identifier specified"),
        (
            "&#xD800;",
            "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate "
                + "code units"
        ),
    ]

    @Test(arguments: invalid)
    func refusesInvalidHTML(_ html: String, _ description: String) {
        #expect(throws: HTMLEntityParser.Failure(description: description)) {
            try HTMLEntityParser.parse(html).get()
        }
    }

    @Test func sendMessageReportsParseErrorsWithTelegramsPrefix() {
        let simulator = makeSimulator()
        let response = api(
            simulator, "sendMessage", ["chat_id": .int(groupID), "text": "load 1 < 2", "parse_mode": "HTML"])
        #expect(response.status == 400)
        #expect(
            response.description == "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 7")
        #expect(control(simulator, "GET", "/sim/messages").json == .array([]))
    }
}

@Suite("Text after parsing: trimming, limits, mentions")
struct TextFixingTests {
    private func send(_ simulator: BotSimulator, _ text: String, html: Bool = true) -> HTTPResponse {
        var parameters: [String: JSONValue] = ["chat_id": .int(groupID), "text": .string(text)]
        if html { parameters["parse_mode"] = "HTML" }
        return api(simulator, "sendMessage", .object(parameters))
    }

    @Test func exactly4096CharactersAfterParsingIsAccepted() {
        let simulator = makeSimulator()
        let escaped = String(repeating: "&lt;", count: 4096)
        let response = send(simulator, "<b>" + escaped + "</b>   \n")
        #expect(response.status == 200)
        #expect(response.result?["text"]?.stringValue?.count == 4096)
    }

    @Test func characters4097AfterParsingIsTooLong() {
        let simulator = makeSimulator()
        let response = send(simulator, "<i>" + String(repeating: "&amp;", count: 4097) + "</i>")
        #expect(response.status == 400)
        #expect(response.description == "Bad Request: message is too long")
    }

    @Test func lengthCountsCodePointsNotUTF16Units() {
        let simulator = makeSimulator()
        #expect(send(simulator, String(repeating: "😀", count: 4096)).status == 200)
        let tooLong = send(simulator, String(repeating: "😀", count: 4097))
        #expect(tooLong.description == "Bad Request: message is too long")
    }

    @Test func whitespaceOnlyTextIsRefusedAfterParsing() {
        let simulator = makeSimulator()
        #expect(send(simulator, "<b> </b>\n").description == "Bad Request: text must be non-empty")
        #expect(send(simulator, "", html: false).description == "Bad Request: message text is empty")
    }

    @Test func leadingSpacesGoUpToTheFirstEntityAndTrailingWhitespaceGoes() throws {
        let fixed = try TextFixing.finish(FormattedText(text: "\n  hello  \n")).get()
        #expect(fixed.text == "hello")

        let parsed = try HTMLEntityParser.parse("  <b> x</b> tail \n").get()
        let trimmed = try TextFixing.finish(parsed).get()
        #expect(trimmed.text == " x tail")
        #expect(trimmed.entities == [MessageEntity(.bold, offset: 0, length: 2)])
    }

    @Test func findsMentionsAndCommandsButNotInsideCodeOrWords() throws {
        let parsed = try HTMLEntityParser.parse("ping @wukong, mail a@bajie.org, <code>@bajie</code> /ack@tocsin_bot")
            .get()
        let fixed = try TextFixing.finish(parsed).get()
        #expect(
            fixed.entities == [
                MessageEntity(.mention, offset: 5, length: 7), MessageEntity(.code, offset: 32, length: 6),
                MessageEntity(.botCommand, offset: 39, length: 15),
            ])
    }
}
