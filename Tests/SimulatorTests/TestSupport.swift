import Foundation
import HTTPServer
import JSON
import Synchronization
import TelegramSimulator

let testToken = "123456:TEST-token_abc"
let groupID: Int64 = -1_001_234_567_890

/// A clock the test moves by hand.
final class FakeClock: Sendable {
    private let seconds = Mutex<Double>(1_700_000_000)

    var now: Double { seconds.withLock { $0 } }

    func advance(_ delta: Double) {
        seconds.withLock { $0 += delta }
    }

    var function: @Sendable () -> Double {
        { [self] in now }
    }
}

func makeSimulator(
    clock: FakeClock = FakeClock(), chatRate: SimRate? = nil, globalRate: SimRate? = nil,
    migratedFrom: Int64? = nil, delivery: WebhookDelivery = .manual,
    deliver: (@Sendable (String, String?, [UInt8]) -> Int)? = nil
) -> BotSimulator {
    let config = SimulatorConfig(
        token: testToken, chatID: groupID, chatTitle: "Ops <on-call>", chatRate: chatRate, globalRate: globalRate,
        seed: 42, migratedFromChatID: migratedFrom, webhookDelivery: delivery)
    return BotSimulator(config: config, clock: clock.function, deliver: deliver)
}

/// Calls a Bot API method with a JSON body.
@discardableResult
func api(_ simulator: BotSimulator, _ method: String, _ parameters: JSONValue = [:], token: String = testToken)
    -> HTTPResponse
{
    simulator.handle(
        HTTPRequest(
            method: "POST", path: "/bot\(token)/\(method)", headers: ["content-type": "application/json"],
            body: parameters.bytes))
}

/// Calls a control route.
@discardableResult
func control(_ simulator: BotSimulator, _ method: String, _ path: String, _ body: JSONValue? = nil) -> HTTPResponse {
    simulator.handle(HTTPRequest(method: method, path: path, body: body?.bytes ?? []))
}

/// Sends a card with Acknowledge and Forward buttons; returns its message id.
@discardableResult
func sendCard(_ simulator: BotSimulator, text: String = "<b>FIRING</b> disk full") -> Int64 {
    let response = api(
        simulator, "sendMessage",
        [
            "chat_id": .int(groupID), "text": .string(text), "parse_mode": "HTML",
            "reply_markup": [
                "inline_keyboard": [
                    [
                        ["text": "Acknowledge", "callback_data": "ack:1"],
                        ["text": "Forward", "callback_data": "fwd:1"],
                    ]
                ]
            ],
        ])
    return response.json?["result"]?["message_id"]?.int64Value ?? -1
}

extension HTTPResponse {
    var description: String? { json?["description"]?.stringValue }
    var result: JSONValue? { json?["result"] }
}

/// Runs a blocking call on a thread of its own; `wait` collects its result.
final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
    }

    /// The result, or nil when the call has not finished within `seconds`.
    func wait(seconds: Double) -> Value? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()
        return result.withLock { $0 }
    }
}

/// Seconds since `start`.
func elapsed(since start: Date) -> Double { Date().timeIntervalSince(start) }
