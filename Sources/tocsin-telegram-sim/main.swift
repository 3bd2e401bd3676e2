import Foundation
import HTTPClient
import HTTPServer
import Logging
import TelegramSimulator

/// `tocsin-telegram-sim`: the Telegram Bot API simulator on an HTTP port, for tests and the demo.

let usage = """
    usage: tocsin-telegram-sim [--listen HOST:PORT] [--token TOKEN] [--chat-id ID] [--members LIST]
                               [--chat-rate N/DURATION] [--global-rate N/DURATION] [--error-rate P] [--seed N]

    Answers /bot<token>/<method> like the Telegram Bot API for one group chat, serves the group's chat page
    at / and a control interface under /sim/ (see README.md).

      --listen       address to listen on (default 127.0.0.1:8081)
      --token        the bot token requests must carry (default: TELEGRAM_BOT_TOKEN, else 123456:sim)
      --chat-id      the group's id (default: TELEGRAM_CHAT_ID, else -1001000000001)
      --members      id:username:First Name,... (default: the SPEC example's three people)
      --chat-rate    messages the group takes, e.g. 20/1m (default: no limit)
      --global-rate  messages the bot sends in all, e.g. 30/1s (default: no limit)
      --error-rate   probability 0..1 of answering a send or edit with 500 (default 0)
      --seed         random seed (default 1)
    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("tocsin-telegram-sim: \(message)\n".utf8))
    exit(code)
}

var options: [String: String] = [:]
var words = Array(CommandLine.arguments.dropFirst())
while !words.isEmpty {
    let word = words.removeFirst()
    if word == "--help" || word == "-h" {
        print(usage)
        exit(0)
    }
    guard word.hasPrefix("--"), !words.isEmpty else { fail("unexpected '\(word)'; see --help") }
    options[String(word.dropFirst(2))] = words.removeFirst()
}
let known: Set = ["listen", "token", "chat-id", "members", "chat-rate", "global-rate", "error-rate", "seed"]
if let unknown = options.keys.first(where: { !known.contains($0) }) { fail("unknown option --\(unknown)") }

let environment = ProcessInfo.processInfo.environment
let token = options["token"] ?? environment["TELEGRAM_BOT_TOKEN"] ?? "123456:sim"
guard let chatID = Int64(options["chat-id"] ?? environment["TELEGRAM_CHAT_ID"] ?? "-1001000000001") else {
    fail("--chat-id must be a number")
}
var config = SimulatorConfig(token: token, chatID: chatID, chatTitle: "On-call")
if let list = options["members"] {
    config.members = list.split(separator: ",").map { item in
        let parts = item.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let id = Int64(parts[0]) else { fail("--members: '\(item)' is not id:username:Name") }
        return SimUser(id: id, username: parts[1].isEmpty ? nil : parts[1], firstName: parts[2])
    }
}
if let text = options["chat-rate"] {
    guard let rate = SimRate(parsing: text) else { fail("--chat-rate: '\(text)' is not N/duration") }
    config.chatRate = rate
}
if let text = options["global-rate"] {
    guard let rate = SimRate(parsing: text) else { fail("--global-rate: '\(text)' is not N/duration") }
    config.globalRate = rate
}
if let text = options["error-rate"] {
    guard let rate = Double(text), (0...1).contains(rate) else { fail("--error-rate must be between 0 and 1") }
    config.serverErrorRate = rate
}
if let text = options["seed"] {
    guard let seed = UInt64(text) else { fail("--seed must be a number") }
    config.seed = seed
}

let logger = Logger(component: "telegram-sim")
let simulator = BotSimulator(
    config: config,
    deliver: { url, secret, body in
        var headers = ["Content-Type: application/json"]
        if let secret { headers.append("X-Telegram-Bot-Api-Secret-Token: \(secret)") }
        do {
            return try HTTPClient().send(url: url, headers: headers, body: body, timeout: 10).status
        } catch {
            return 0
        }
    })

let listen = options["listen"] ?? "127.0.0.1:8081"
let server: HTTPServer
do {
    server = try HTTPServer(address: listen, maxBodyBytes: 1 << 20) { simulator.handle($0) }
} catch {
    fail("\(error)", code: 1)
}
logger.info("listening; chat page at http://\(listen)/", (.address, listen), (.chatID, String(chatID)))

signal(SIGTERM) { _ in exit(0) }
signal(SIGINT) { _ in exit(0) }
while true { sleep(60) }
