import JSON
import TelegramSimulator
import Testing

@Suite("Sending and editing messages")
struct MessageTests {
    @Test func sendMessageAnswersATelegramMessageAndKeepsEveryField() throws {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock)
        let text = "<b>FIRING</b> disk on node-01 — paging @wukong and <a href=\"tg://user?id=100003\">Tang</a>"
        let response = api(
            simulator, "sendMessage",
            [
                "chat_id": .string(String(groupID)), "text": .string(text), "parse_mode": "HTML",
                "disable_notification": true, "link_preview_options": ["is_disabled": true],
                "reply_markup": ["inline_keyboard": [[["text": "Acknowledge", "callback_data": "ack:1"]]]],
            ])
        #expect(response.status == 200)
        let result = try #require(response.result)
        #expect(result["message_id"] == 1)
        #expect(result["chat"]?["id"]?.int64Value == groupID)
        #expect(result["chat"]?["type"] == "supergroup")
        #expect(result["from"]?["username"] == "tocsin_bot")
        #expect(result["date"]?.int64Value == Int64(clock.now))
        #expect(result["text"] == "FIRING disk on node-01 — paging @wukong and Tang")
        let types = result["entities"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
        #expect(types == ["bold", "mention", "text_mention"])
        #expect(result["entities"]?.arrayValue?.last?["user"]?["id"] == 100003)

        let stored = try #require(control(simulator, "GET", "/sim/messages/1?chat_id=\(groupID)").json)
        #expect(stored["raw_text"]?.stringValue == text)
        #expect(stored["parse_mode"] == "HTML")
        #expect(stored["disable_notification"] == true)
        #expect(stored["edit_count"] == 0)
        #expect(stored["reply_markup"]?["inline_keyboard"]?.arrayValue?.count == 1)
    }

    @Test func mentionOfSomeoneOutsideTheGroupIsPlainText() {
        let simulator = makeSimulator()
        let response = api(
            simulator, "sendMessage",
            ["chat_id": .int(groupID), "text": "<a href=\"tg://user?id=5\">Stranger</a>", "parse_mode": "HTML"])
        #expect(response.status == 200)
        #expect(response.result?["entities"] == nil)
    }

    @Test func replyCarriesTheMessageItAnswers() {
        let simulator = makeSimulator()
        let first = sendCard(simulator)
        let reply = api(
            simulator, "sendMessage",
            ["chat_id": .int(groupID), "text": "level 2: @bajie", "reply_parameters": ["message_id": .int(first)]])
        #expect(reply.result?["reply_to_message"]?["message_id"]?.int64Value == first)
        #expect(control(simulator, "GET", "/sim/messages/2").json?["reply_to_message_id"]?.int64Value == first)
    }

    @Test func editMessageTextWithoutReplyMarkupRemovesTheButtons() throws {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock)
        let id = sendCard(simulator)
        clock.advance(30)

        let edited = api(
            simulator, "editMessageText",
            [
                "chat_id": .int(groupID), "message_id": .int(id), "text": "<b>ACKED</b> by @wukong",
                "parse_mode": "HTML",
            ])
        #expect(edited.status == 200)
        #expect(edited.result?["reply_markup"] == nil)
        #expect(edited.result?["edit_date"]?.int64Value == Int64(clock.now))

        let stored = try #require(control(simulator, "GET", "/sim/messages/\(id)").json)
        #expect(stored["reply_markup"] == nil)
        #expect(stored["text"] == "ACKED by @wukong")
        #expect(stored["edit_count"] == 1)
        let history = try #require(stored["edits"]?.arrayValue)
        #expect(history.count == 1)
        #expect(history[0]["time"]?.doubleValue == clock.now)
        #expect(history[0]["raw_text"] == "<b>ACKED</b> by @wukong")
    }

    @Test func editKeepingTheSameContentIsNotModified() {
        let simulator = makeSimulator()
        let id = sendCard(simulator, text: "<b>FIRING</b> x")
        let markup: JSONValue = [
            "inline_keyboard": [
                [
                    ["text": "Acknowledge", "callback_data": "ack:1"],
                    ["text": "Forward", "callback_data": "fwd:1"],
                ]
            ]
        ]
        let same = api(
            simulator, "editMessageText",
            [
                "chat_id": .int(groupID), "message_id": .int(id), "text": "<b>FIRING</b> x", "parse_mode": "HTML",
                "reply_markup": markup,
            ])
        #expect(same.status == 400)
        #expect(
            same.description
                == "Bad Request: message is not modified: specified new message content and reply markup are "
                + "exactly the same as a current content and reply markup of the message")

        let sameMarkup = api(
            simulator, "editMessageReplyMarkup",
            ["chat_id": .int(groupID), "message_id": .int(id), "reply_markup": markup])
        #expect(sameMarkup.description == same.description)

        let dropForward = api(
            simulator, "editMessageReplyMarkup",
            [
                "chat_id": .int(groupID), "message_id": .int(id),
                "reply_markup": ["inline_keyboard": [[["text": "Acknowledge", "callback_data": "ack:1"]]]],
            ])
        #expect(dropForward.status == 200)
        #expect(dropForward.result?["reply_markup"]?["inline_keyboard"]?.arrayValue?.first?.arrayValue?.count == 1)

        let removeAll = api(simulator, "editMessageReplyMarkup", ["chat_id": .int(groupID), "message_id": .int(id)])
        #expect(removeAll.status == 200)
        #expect(removeAll.result?["reply_markup"] == nil)
        #expect(control(simulator, "GET", "/sim/messages/\(id)").json?["edit_count"] == 2)
    }

    @Test func messageIDsIncreaseFromOne() {
        let simulator = makeSimulator()
        #expect((1...3).map { _ in sendCard(simulator) } == [1, 2, 3])
    }
}
