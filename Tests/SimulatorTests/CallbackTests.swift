import HTTPServer
import TelegramSimulator
import Testing

@Suite("Button clicks and answerCallbackQuery")
struct CallbackTests {
    private let tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"

    private func click(_ simulator: BotSimulator, _ message: Int64, user: Int64 = 100002, data: String = "ack:1")
        -> HTTPResponse
    {
        control(
            simulator, "POST", "/sim/click",
            ["chat_id": .int(groupID), "message_id": .int(message), "user_id": .int(user), "data": .string(data)])
    }

    @Test func clickMakesACallbackQueryUpdateThatTheBotAnswers() throws {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock)
        let card = sendCard(simulator)
        let clicked = try #require(click(simulator, card).json)
        let queryID = try #require(clicked["callback_query_id"]?.stringValue)

        let update = try #require(api(simulator, "getUpdates").result?.arrayValue?.first)
        #expect(update["update_id"] == clicked["update_id"])
        let query = try #require(update["callback_query"])
        #expect(query["id"]?.stringValue == queryID)
        #expect(query["from"] == ["id": 100002, "is_bot": false, "first_name": "Zhu Bajie", "username": "bajie"])
        #expect(query["data"] == "ack:1")
        #expect(query["chat_instance"]?.stringValue?.isEmpty == false)
        #expect(query["message"]?["message_id"]?.int64Value == card)
        #expect(query["message"]?["reply_markup"]?["inline_keyboard"] != nil)

        clock.advance(3)
        let answer = api(
            simulator, "answerCallbackQuery",
            ["callback_query_id": .string(queryID), "text": "Acknowledged by @bajie", "show_alert": true])
        #expect(answer.json == ["ok": true, "result": true])

        let answers = try #require(control(simulator, "GET", "/sim/answers").json?.arrayValue)
        #expect(answers.count == 1)
        #expect(answers[0]["callback_query_id"]?.stringValue == queryID)
        #expect(answers[0]["text"] == "Acknowledged by @bajie")
        #expect(answers[0]["show_alert"] == true)
        #expect(answers[0]["time"]?.doubleValue == clock.now)

        let twice = api(simulator, "answerCallbackQuery", ["callback_query_id": .string(queryID)])
        #expect(twice.status == 400)
        #expect(twice.description == tooOld)
    }

    @Test func answerAfter15SecondsIsTooOld() throws {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock)
        let card = sendCard(simulator)
        let queryID = try #require(click(simulator, card).json?["callback_query_id"]?.stringValue)
        clock.advance(15.5)
        let late = api(simulator, "answerCallbackQuery", ["callback_query_id": .string(queryID), "text": "late"])
        #expect(late.status == 400)
        #expect(late.description == tooOld)
        #expect(control(simulator, "GET", "/sim/answers").json == .array([]))
    }

    @Test func unknownQueryAndOverlongTextAreRefused() throws {
        let simulator = makeSimulator()
        let unknown = api(simulator, "answerCallbackQuery", ["callback_query_id": "123"])
        #expect(unknown.description == tooOld)

        let card = sendCard(simulator)
        let queryID = try #require(click(simulator, card).json?["callback_query_id"]?.stringValue)
        let long = api(
            simulator, "answerCallbackQuery",
            ["callback_query_id": .string(queryID), "text": .string(String(repeating: "x", count: 201))])
        #expect(long.status == 400)
        let fits = api(
            simulator, "answerCallbackQuery",
            ["callback_query_id": .string(queryID), "text": .string(String(repeating: "x", count: 200))])
        #expect(fits.status == 200)
    }

    @Test func onlyMembersClickAndOnlyButtonsThatAreThere() {
        let simulator = makeSimulator()
        let card = sendCard(simulator)
        #expect(click(simulator, card, user: 555).status == 400)
        #expect(click(simulator, card, data: "nope").status == 400)
        #expect(click(simulator, 99).status == 404)

        api(simulator, "editMessageText", ["chat_id": .int(groupID), "message_id": .int(card), "text": "acked"])
        #expect(click(simulator, card).status == 400, "the buttons are gone")
        let stale = control(
            simulator, "POST", "/sim/click",
            ["message_id": .int(card), "user_id": 100001, "data": "fwd:1", "stale": true])
        #expect(stale.status == 200, "an old client can still send the old data")
        #expect(api(simulator, "getUpdates").result?.arrayValue?.count == 1)
    }
}
