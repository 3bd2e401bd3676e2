import HTTPServer
import TelegramSimulator
import Testing

@Suite("Control interface and chat page")
struct ControlTests {
    @Test func chatPageIsSelfContainedAndEscapesTheTitle() {
        let page = makeSimulator().handle(HTTPRequest(method: "GET", path: "/"))
        #expect(page.status == 200)
        #expect(page.contentType.hasPrefix("text/html"))
        #expect(page.text.contains("Ops &lt;on-call&gt;"))
        #expect(!page.text.contains("Ops <on-call>"))
        #expect(page.text.contains("/sim/click") && page.text.contains("/sim/messages"))
        #expect(!page.text.contains("src=\"http") && !page.text.contains("href=\"http"), "no external resources")
        #expect(!page.text.contains("innerHTML"), "message text never becomes markup")
    }

    @Test func membersAreListed() {
        let members = control(makeSimulator(), "GET", "/sim/members").json?.arrayValue
        #expect(members?.count == 4)
        #expect(members?[2] == ["id": 100003, "is_bot": false, "first_name": "Tang Sanzang"])
    }

    @Test func userMessagesJoinTheChat() throws {
        let simulator = makeSimulator()
        let card = sendCard(simulator)
        let sent = try #require(
            control(
                simulator, "POST", "/sim/send",
                ["chat_id": .int(groupID), "user_id": 100001, "text": "/whoami", "reply_to_message_id": .int(card)]
            ).json)
        #expect(sent["message_id"] == 2)
        let messages = try #require(control(simulator, "GET", "/sim/messages?chat_id=\(groupID)").json?.arrayValue)
        #expect(messages.count == 2)
        #expect(messages[1]["is_bot"] == false)
        #expect(messages[1]["reply_to_message_id"]?.int64Value == card)
        #expect(sendCard(simulator) == 3, "ids are shared by everyone in the chat")
    }

    @Test func refusedControlRequests() {
        let simulator = makeSimulator()
        #expect(control(simulator, "POST", "/sim/send", ["user_id": 555, "text": "hi"]).status == 400)
        #expect(control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "   "]).status == 400)
        #expect(control(simulator, "GET", "/sim/messages?chat_id=-5").status == 404)
        #expect(control(simulator, "GET", "/sim/messages/7").status == 404)
        #expect(control(simulator, "DELETE", "/sim/messages").status == 405)
        #expect(control(simulator, "GET", "/sim/teleport").status == 404)
        let malformed = simulator.handle(HTTPRequest(method: "POST", path: "/sim/click", body: Array("{".utf8)))
        #expect(malformed.status == 400)
        #expect(malformed.json?["error"] != nil)
    }

    @Test func resetForgetsEverything() {
        let simulator = makeSimulator(chatRate: SimRate(count: 1, per: 60))
        sendCard(simulator)
        control(simulator, "POST", "/sim/config", ["chat_rate": nil])
        #expect(control(simulator, "POST", "/sim/reset").status == 200)
        #expect(control(simulator, "GET", "/sim/messages").json == .array([]))
        #expect(control(simulator, "GET", "/sim/log").json == .array([]))
        #expect(control(simulator, "GET", "/sim/config").json?["chat_rate"] == ["count": 1, "per": 60])
        #expect(sendCard(simulator) == 1)
    }

    @Test func updateIDsKeepGrowingAcrossAReset() throws {
        let simulator = makeSimulator()
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "before"])
        let before = try #require(api(simulator, "getUpdates").result?.arrayValue?.first?["update_id"]?.int64Value)
        control(simulator, "POST", "/sim/reset")
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "after"])
        let after = api(simulator, "getUpdates", ["offset": .int(before + 1)]).result?.arrayValue
        #expect(after?.count == 1, "a poller that confirmed the old updates still sees the new one")
    }

    @Test func membersFlagParses() {
        let users = SimUser.parseList("100001:wukong:Sun Wukong, 100003::Tang Sanzang,7")
        #expect(
            users == [
                SimUser(id: 100001, username: "wukong", firstName: "Sun Wukong"),
                SimUser(id: 100003, firstName: "Tang Sanzang"), SimUser(id: 7, firstName: "User 7"),
            ])
        #expect(SimUser.parseList("x:y") == nil)
    }
}
