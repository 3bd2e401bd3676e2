import Foundation
import HTTPServer
import TelegramSimulator
import Testing

@Suite("getUpdates: offsets, long polls, conflicts")
struct GetUpdatesTests {
    private func updateIDs(_ response: HTTPResponse) -> [Int64] {
        response.result?.arrayValue?.compactMap { $0["update_id"]?.int64Value } ?? []
    }

    private func say(_ simulator: BotSimulator, _ text: String) {
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": .string(text)])
    }

    @Test func offsetConfirmsEveryUpdateBelowIt() {
        let simulator = makeSimulator()
        say(simulator, "one")
        say(simulator, "two")
        say(simulator, "three")

        let all = updateIDs(api(simulator, "getUpdates"))
        #expect(all.count == 3)
        #expect(all == all.sorted())
        #expect(updateIDs(api(simulator, "getUpdates")) == all, "unconfirmed updates come again")

        #expect(updateIDs(api(simulator, "getUpdates", ["offset": .int(all[1])])) == Array(all[1...]))
        #expect(updateIDs(api(simulator, "getUpdates", ["offset": .int(all[2] + 1)])) == [])
        #expect(updateIDs(api(simulator, "getUpdates")) == [], "confirmed updates are gone")
    }

    @Test func negativeOffsetKeepsOnlyTheLastUpdates() {
        let simulator = makeSimulator()
        for text in ["a", "b", "c"] { say(simulator, text) }
        let last = updateIDs(api(simulator, "getUpdates", ["offset": -1]))
        #expect(last.count == 1)
        #expect(updateIDs(api(simulator, "getUpdates")) == last, "the earlier ones were forgotten")
    }

    @Test func limitCutsTheBatch() {
        let simulator = makeSimulator()
        for text in ["a", "b", "c"] { say(simulator, text) }
        #expect(updateIDs(api(simulator, "getUpdates", ["limit": 2])).count == 2)
    }

    @Test func userMessageUpdateCarriesABotCommandEntity() throws {
        let simulator = makeSimulator()
        say(simulator, "/whoami@tocsin_bot")
        let update = try #require(api(simulator, "getUpdates").result?.arrayValue?.first)
        #expect(update["message"]?["from"]?["id"] == 100001)
        #expect(update["message"]?["text"] == "/whoami@tocsin_bot")
        let entity = try #require(update["message"]?["entities"]?.arrayValue?.first)
        #expect(entity == ["type": "bot_command", "offset": 0, "length": 18])
    }

    @Test func longPollTimesOutEmpty() {
        let simulator = makeSimulator()
        let start = Date()
        let response = api(simulator, "getUpdates", ["timeout": 0.3])
        #expect(response.status == 200)
        #expect(response.result == .array([]))
        #expect(elapsed(since: start) >= 0.28)
        #expect(elapsed(since: start) < 2)
    }

    @Test func longPollWakesWhenAnUpdateArrives() throws {
        let simulator = makeSimulator()
        let start = Date()
        let poll = Background { api(simulator, "getUpdates", ["timeout": 10]) }
        Thread.sleep(forTimeInterval: 0.2)
        say(simulator, "/ack")

        let response = try #require(poll.wait(seconds: 5))
        #expect(updateIDs(response).count == 1)
        #expect(elapsed(since: start) < 3)
    }

    @Test func aSecondPollEndsTheFirstWith409() throws {
        let simulator = makeSimulator()
        let first = Background { api(simulator, "getUpdates", ["timeout": 10]) }
        Thread.sleep(forTimeInterval: 0.2)
        let start = Date()
        let second = Background { api(simulator, "getUpdates", ["timeout": 2]) }

        let ended = try #require(first.wait(seconds: 3))
        #expect(ended.status == 409)
        #expect(
            ended.description
                == "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
        #expect(elapsed(since: start) < 1.5, "the earlier poll is answered at once, not when the later one ends")
        #expect(second.wait(seconds: 5)?.status == 200)
    }

    @Test func webhookMakesGetUpdatesConflict() {
        let simulator = makeSimulator()
        #expect(api(simulator, "setWebhook", ["url": "https://hooks.example.com/telegram"]).status == 200)
        let refused = api(simulator, "getUpdates")
        #expect(refused.status == 409)
        #expect(
            refused.description
                == "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
                + "webhook first")
        #expect(api(simulator, "deleteWebhook").description == "Webhook was deleted")
        #expect(api(simulator, "getUpdates").status == 200)
    }

    @Test func settingAWebhookEndsAWaitingPoll() throws {
        let simulator = makeSimulator()
        let poll = Background { api(simulator, "getUpdates", ["timeout": 10]) }
        Thread.sleep(forTimeInterval: 0.2)
        api(simulator, "setWebhook", ["url": "https://hooks.example.com/telegram"])
        #expect(try #require(poll.wait(seconds: 3)).status == 409)
    }

    @Test func allowedUpdatesFiltersLaterUpdates() {
        let simulator = makeSimulator()
        let card = sendCard(simulator)
        api(simulator, "getUpdates", ["allowed_updates": ["message"]])
        control(simulator, "POST", "/sim/click", ["message_id": .int(card), "user_id": 100001, "data": "ack:1"])
        say(simulator, "hello")
        let kinds = api(simulator, "getUpdates").result?.arrayValue?.map { $0["message"] != nil }
        #expect(kinds == [true])
    }
}
