import Foundation
import JSON
import Synchronization
import Testing

@testable import TelegramSimulator

/// A webhook receiver that answers with scripted statuses and records what it got.
final class Receiver: Sendable {
    struct Delivery: Sendable {
        var url: String
        var secret: String?
        var body: JSONValue?
    }

    private let statuses: Mutex<[Int]>
    private let received = Mutex<[Delivery]>([])

    /// Answers each POST with the next status, then 200 once they run out.
    init(statuses: [Int] = []) {
        self.statuses = Mutex(statuses)
    }

    var deliveries: [Delivery] { received.withLock { $0 } }

    var function: @Sendable (String, String?, [UInt8]) -> Int {
        { [self] url, secret, body in
            received.withLock { $0.append(Delivery(url: url, secret: secret, body: JSONValue.parse(body))) }
            return statuses.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
        }
    }
}

@Suite("Webhooks")
struct WebhookTests {
    static let refusals: [(String, String?, String)] = [
        ("http://example.com/hook", nil, "Bad Request: bad webhook: HTTPS url must be provided for webhook"),
        (
            "https://example.com:8080/hook", nil,
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
        ),
        ("https://example.com/hook", "has space", "Bad Request: secret token contains unallowed characters"),
        ("https://example.com/hook", "a+b/c=", "Bad Request: secret token contains unallowed characters"),
        ("https://example.com/hook", String(repeating: "s", count: 257), "Bad Request: secret token is too long"),
    ]

    @Test(arguments: refusals)
    func setWebhookRefusals(_ url: String, _ secret: String?, _ description: String) {
        let simulator = makeSimulator()
        let response = api(simulator, "setWebhook", ["url": .string(url), "secret_token": .from(secret)])
        #expect(response.status == 400)
        #expect(response.description == description)
        #expect(api(simulator, "getWebhookInfo").result?["url"] == "")
    }

    @Test func acceptedWebhooks() {
        let simulator = makeSimulator()
        let secret = String(repeating: "A-z_9", count: 51) + "x"
        let hook: JSONValue = ["url": "https://example.com:8443/hook", "secret_token": .string(secret)]
        let set = api(simulator, "setWebhook", hook)
        #expect(set.json == ["ok": true, "result": true, "description": "Webhook was set"])
        let again = api(simulator, "setWebhook", hook)
        #expect(again.description == "Webhook is already set")
        #expect(api(simulator, "setWebhook", ["url": "http://127.0.0.1:9087/telegram"]).status == 200)
        #expect(api(simulator, "setWebhook", ["url": ""]).description == "Webhook was deleted")
        #expect(api(simulator, "deleteWebhook").description == "Webhook is already deleted")
    }

    @Test func updatesArePostedWithTheSecretInOrder() throws {
        let receiver = Receiver()
        let simulator = makeSimulator(deliver: receiver.function)
        let card = sendCard(simulator)
        api(simulator, "setWebhook", ["url": "http://127.0.0.1:9087/telegram", "secret_token": "s3cret_-x"])
        control(simulator, "POST", "/sim/send", ["user_id": 100003, "text": "/whoami"])
        control(simulator, "POST", "/sim/click", ["message_id": .int(card), "user_id": 100001, "data": "fwd:1"])

        #expect(simulator.pumpWebhook() == 2)
        let deliveries = receiver.deliveries
        #expect(deliveries.map(\.url) == ["http://127.0.0.1:9087/telegram", "http://127.0.0.1:9087/telegram"])
        #expect(deliveries.map(\.secret) == ["s3cret_-x", "s3cret_-x"])
        let ids = deliveries.compactMap { $0.body?["update_id"]?.int64Value }
        #expect(ids.count == 2 && ids[0] < ids[1])
        #expect(deliveries[0].body?["message"]?["text"] == "/whoami")
        #expect(deliveries[1].body?["callback_query"]?["data"] == "fwd:1")
        #expect(api(simulator, "getWebhookInfo").result?["pending_update_count"] == 0)
        #expect(simulator.pumpWebhook() == 0)
    }

    @Test func failedDeliveriesAreRetriedWithGrowingDelays() throws {
        let clock = FakeClock()
        let receiver = Receiver(statuses: [500, 502])
        let simulator = makeSimulator(clock: clock, deliver: receiver.function)
        api(simulator, "setWebhook", ["url": "https://hooks.example.com/tg"])
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "first"])
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "second"])

        #expect(simulator.pumpWebhook() == 0)
        let info = try #require(api(simulator, "getWebhookInfo").result)
        #expect(info["pending_update_count"] == 2)
        #expect(info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error")
        #expect(info["last_error_date"]?.int64Value == Int64(clock.now))

        #expect(simulator.pumpWebhook() == 0)
        #expect(receiver.deliveries.count == 1, "not retried before the delay")
        clock.advance(1)
        #expect(simulator.pumpWebhook() == 0)
        #expect(receiver.deliveries.count == 2)
        clock.advance(1)
        #expect(simulator.pumpWebhook() == 0, "the second delay is two seconds")
        clock.advance(1)
        #expect(simulator.pumpWebhook() == 2)

        let texts = receiver.deliveries.compactMap { $0.body?["message"]?["text"]?.stringValue }
        #expect(texts == ["first", "first", "first", "second"], "a failed update holds back the later ones")
        let statuses = control(simulator, "GET", "/sim/webhook").json?["deliveries"]?.arrayValue?.map { $0["status"] }
        #expect(statuses == [500, 502, 200, 200])
    }

    @Test func backgroundThreadDeliversWithoutBeingAsked() throws {
        let receiver = Receiver()
        let simulator = makeSimulator(delivery: .backgroundThread, deliver: receiver.function)
        defer { simulator.shutdown() }
        api(simulator, "setWebhook", ["url": "https://hooks.example.com/tg"])
        control(simulator, "POST", "/sim/send", ["user_id": 100001, "text": "/ack"])

        let deadline = Date() + 3
        while receiver.deliveries.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(receiver.deliveries.count == 1)
        #expect(api(simulator, "getWebhookInfo").result?["pending_update_count"] == 0)
    }

    @Test func retryDelaysGrowToAMinute() {
        #expect((1...8).map(BotSimulator.retryDelay) == [1, 2, 4, 8, 16, 32, 60, 60])
    }
}
