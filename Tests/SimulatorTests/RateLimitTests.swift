import HTTPServer
import TelegramSimulator
import Testing

@Suite("429 Too Many Requests")
struct RateLimitTests {
    private func send(_ simulator: BotSimulator) -> HTTPResponse {
        api(simulator, "sendMessage", ["chat_id": .int(groupID), "text": "page"])
    }

    @Test func chatLimitAnswers429WithRetryAfterUntilASlotFrees() {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock, chatRate: SimRate(count: 3, per: 60))
        for _ in 1...3 {
            #expect(send(simulator).status == 200)
            clock.advance(1)
        }

        let refused = send(simulator)
        #expect(refused.status == 429)
        #expect(refused.description == "Too Many Requests: retry after 57")
        #expect(refused.json?["parameters"] == ["retry_after": 57])

        clock.advance(7.5)
        #expect(send(simulator).json?["parameters"]?["retry_after"] == 50)
        clock.advance(49.4)
        #expect(send(simulator).json?["parameters"]?["retry_after"] == 1, "never less than one second")
        clock.advance(0.2)
        #expect(send(simulator).status == 200, "the first send left the window")
        #expect(send(simulator).json?["parameters"]?["retry_after"] == 1, "the second leaves a second later")
    }

    @Test func editsCountTowardTheChatLimit() {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock, chatRate: SimRate(count: 2, per: 10))
        let id = sendCard(simulator)
        let edit = api(simulator, "editMessageText", ["chat_id": .int(groupID), "message_id": .int(id), "text": "v2"])
        #expect(edit.status == 200)

        let again = api(simulator, "editMessageText", ["chat_id": .int(groupID), "message_id": .int(id), "text": "v3"])
        #expect(again.status == 429)
        #expect(send(simulator).status == 429)
        let stored = control(simulator, "GET", "/sim/messages/\(id)").json
        #expect(stored?["text"] == "v2", "a refused edit changes nothing")
    }

    @Test func globalLimitAppliesAcrossTheBot() {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock, globalRate: SimRate(count: 2, per: 1))
        #expect(send(simulator).status == 200)
        clock.advance(0.2)
        #expect(send(simulator).status == 200)
        clock.advance(0.2)
        #expect(send(simulator).json?["parameters"]?["retry_after"] == 1)
        clock.advance(0.61)
        #expect(send(simulator).status == 200)
    }

    @Test func refusedRequestsAreLoggedWithTheirRetryAfter() throws {
        let clock = FakeClock()
        let simulator = makeSimulator(clock: clock, chatRate: SimRate(count: 1, per: 60))
        _ = send(simulator)
        _ = send(simulator)

        let log = try #require(control(simulator, "GET", "/sim/log?method=sendmessage").json?.arrayValue)
        #expect(log.count == 2)
        #expect(log[0]["ok"] == true)
        #expect(log[0]["message_id"] == 1)
        #expect(log[0]["chat_id"]?.int64Value == groupID)
        #expect(log[1]["ok"] == false)
        #expect(log[1]["error_code"] == 429)
        #expect(log[1]["retry_after"] == 60)
        #expect(log[1]["time"]?.doubleValue == clock.now)
    }

    @Test func limitsChangeAtRunTime() {
        let simulator = makeSimulator()
        #expect(send(simulator).status == 200)
        let settings = control(simulator, "POST", "/sim/config", ["chat_rate": "1/1m"])
        #expect(settings.json?["chat_rate"] == ["count": 1, "per": 60])
        #expect(send(simulator).status == 200)
        #expect(send(simulator).status == 429)

        control(simulator, "POST", "/sim/config", ["chat_rate": nil])
        #expect(send(simulator).status == 200)
        #expect(control(simulator, "POST", "/sim/config", ["chat_rate": "fast"]).status == 400)
    }

    @Test func rateStringsParse() {
        #expect(SimRate(parsing: "20/1m") == SimRate(count: 20, per: 60))
        #expect(SimRate(parsing: "30/1s") == SimRate(count: 30, per: 1))
        #expect(SimRate(parsing: "1/1.5s") == SimRate(count: 1, per: 1.5))
        #expect(SimRate(parsing: "5/m") == SimRate(count: 5, per: 60))
        #expect(SimRate(parsing: "0/1s") == nil)
        #expect(SimRate(parsing: "twenty") == nil)
    }
}
