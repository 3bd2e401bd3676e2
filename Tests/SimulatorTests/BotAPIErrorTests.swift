import HTTPServer
import JSON
import TelegramSimulator
import Testing

@Suite("Bot API errors, in Telegram's words")
struct BotAPIErrorTests {
    @Test func wrongTokenIs401AndNeverLogged() {
        let simulator = makeSimulator()
        let response = api(simulator, "sendMessage", ["chat_id": .int(groupID), "text": "x"], token: "999:other")
        #expect(response.status == 401)
        #expect(response.json == ["ok": false, "error_code": 401, "description": "Unauthorized"])

        let log = control(simulator, "GET", "/sim/log").text
        #expect(log.contains("\"status\"") == false)
        #expect(!log.contains("999:other") && !log.contains(testToken))
        #expect(simulator.requestLog().map(\.status) == [401])

        let mangled = simulator.handle(HTTPRequest(method: "POST", path: "/bot/\(testToken)/sendMessage"))
        #expect(mangled.status == 401)
        #expect(simulator.requestLog().last?.method == "unknown")
        #expect(!control(simulator, "GET", "/sim/log").text.contains("TEST-token"))
    }

    @Test func unknownMethodIs404AndMethodNamesIgnoreCase() {
        let simulator = makeSimulator()
        let missing = api(simulator, "sendPigeon")
        #expect(missing.status == 404)
        #expect(missing.description == "Not Found")

        let me = api(simulator, "GETME")
        #expect(me.status == 200)
        #expect(me.result?["id"] == 123456)
        #expect(me.result?["is_bot"] == true)
        #expect(simulator.handle(HTTPRequest(method: "GET", path: "/nothing")).status == 404)
    }

    @Test func formAndQueryParametersWork() {
        let simulator = makeSimulator()
        let form = simulator.handle(
            HTTPRequest(
                method: "POST", path: "/bot\(testToken)/sendMessage",
                headers: ["content-type": "application/x-www-form-urlencoded; charset=utf-8"],
                body: Array("chat_id=\(groupID)&text=a+%3Cb%3Ebold%3C%2Fb%3E&parse_mode=HTML".utf8)))
        #expect(form.status == 200)
        #expect(form.result?["text"] == "a bold")

        let query = simulator.handle(
            HTTPRequest(method: "GET", path: "/bot\(testToken)/sendMessage?chat_id=\(groupID)&text=hi"))
        #expect(query.result?["message_id"] == 2)
    }

    static let refusals: [(JSONValue, Int, String)] = [
        (["text": "x"], 400, "Bad Request: chat_id is empty"),
        (["chat_id": -42, "text": "x"], 400, "Bad Request: chat not found"),
        (["chat_id": "@somewhere", "text": "x"], 400, "Bad Request: chat not found"),
        (["chat_id": 100001, "text": "x"], 403, "Forbidden: bot can't initiate conversation with a user"),
        (["chat_id": .int(groupID)], 400, "Bad Request: message text is empty"),
        (["chat_id": .int(groupID), "text": ""], 400, "Bad Request: message text is empty"),
        (
            ["chat_id": .int(groupID), "text": "x", "parse_mode": "Markdown"], 400,
            "Bad Request: unsupported parse_mode"
        ),
        (
            ["chat_id": .int(groupID), "text": "x", "reply_to_message_id": 77], 400,
            "Bad Request: message to be replied not found"
        ),
        (
            ["chat_id": .int(groupID), "text": "x", "reply_markup": "{nope"], 400,
            "Bad Request: can't parse reply keyboard markup JSON object"
        ),
    ]

    @Test(arguments: refusals)
    func sendMessageRefusals(_ parameters: JSONValue, _ status: Int, _ description: String) {
        let simulator = makeSimulator()
        let response = api(simulator, "sendMessage", parameters)
        #expect(response.status == status)
        #expect(response.description == description)
        #expect(response.json?["ok"] == false)
        #expect(response.json?["error_code"]?.int64Value == Int64(status))
    }

    @Test func callbackDataOf64BytesIsAcceptedAnd65IsNot() {
        let simulator = makeSimulator()
        func send(_ data: String) -> HTTPResponse {
            api(
                simulator, "sendMessage",
                [
                    "chat_id": .int(groupID), "text": "card",
                    "reply_markup": ["inline_keyboard": [[["text": "Ack", "callback_data": .string(data)]]]],
                ])
        }
        #expect(send(String(repeating: "a", count: 64)).status == 200)
        #expect(send(String(repeating: "é", count: 32)).status == 200)
        #expect(send(String(repeating: "a", count: 65)).description == "Bad Request: BUTTON_DATA_INVALID")
        #expect(send(String(repeating: "é", count: 32) + "a").description == "Bad Request: BUTTON_DATA_INVALID")
        #expect(send("").description == "Bad Request: BUTTON_DATA_INVALID")
    }

    @Test func replyToAMissingMessageMaySendWithoutTheReply() {
        let simulator = makeSimulator()
        let response = api(
            simulator, "sendMessage",
            [
                "chat_id": .int(groupID), "text": "x",
                "reply_parameters": ["message_id": 99, "allow_sending_without_reply": true],
            ])
        #expect(response.status == 200)
        #expect(response.result?["reply_to_message"] == nil)
    }

    @Test func supergroupMigrationAnswersWithTheNewChatID() {
        let simulator = makeSimulator(migratedFrom: -4242)
        let response = api(simulator, "sendMessage", ["chat_id": -4242, "text": "x"])
        #expect(response.status == 400)
        #expect(response.description == "Bad Request: group chat was upgraded to a supergroup chat")
        #expect(response.json?["parameters"]?["migrate_to_chat_id"]?.int64Value == groupID)
    }

    @Test func editErrors() {
        let simulator = makeSimulator()
        let id = sendCard(simulator)
        let missing = api(simulator, "editMessageText", ["chat_id": .int(groupID), "message_id": 99, "text": "x"])
        #expect(missing.description == "Bad Request: message to edit not found")

        let noID = api(simulator, "editMessageText", ["chat_id": .int(groupID), "text": "x"])
        #expect(noID.description == "Bad Request: message identifier is not specified")

        let empty = api(simulator, "editMessageText", ["chat_id": .int(groupID), "message_id": .int(id), "text": ""])
        #expect(empty.description == "Bad Request: message text is empty")

        let badHTML = api(
            simulator, "editMessageText",
            ["chat_id": .int(groupID), "message_id": .int(id), "text": "<b>x", "parse_mode": "HTML"])
        #expect(
            badHTML.description
                == "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"")
    }

    @Test func faultInjectionAnswers500AndStoresNothing() {
        let simulator = makeSimulator()
        control(simulator, "POST", "/sim/config", ["server_error_rate": 1])
        let response = api(simulator, "sendMessage", ["chat_id": .int(groupID), "text": "x"])
        #expect(response.status == 500)
        #expect(response.description == "Internal Server Error")
        #expect(api(simulator, "getMe").status == 200)
        #expect(control(simulator, "GET", "/sim/messages").json == .array([]))

        control(simulator, "POST", "/sim/config", ["server_error_rate": 0])
        #expect(api(simulator, "sendMessage", ["chat_id": .int(groupID), "text": "x"]).status == 200)
    }
}
