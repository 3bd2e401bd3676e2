import Models
import Redis

/// Telegram's limits, shared by every worker on every host through Redis: a sliding window per chat and
/// one for the bot, plus a pause per chat after a 429 that every worker honours.
///
/// A window (at most N sends in any period) lets a burst of pages out at once and then paces the rest,
/// which is how Telegram counts a group's 20 messages a minute.
public struct RateLimiter: Sendable {
    public let keys: QueueKeys
    public let chatRate: Rate
    public let globalRate: Rate

    public init(keys: QueueKeys, chatRate: Rate, globalRate: Rate) {
        self.keys = keys
        self.chatRate = chatRate
        self.globalRate = globalRate
    }

    /// What `acquire` gives: a slot to send now, or how long to wait.
    public enum Grant: Sendable, Equatable {
        case slot(String)
        case wait(millis: Int64)
    }

    /// Takes a send slot for `chat`, or says how many milliseconds to wait (taking nothing).
    ///
    /// Each window is kept 2 % (at least 100 ms) longer than the configured period: Telegram counts a message when it
    /// arrives, a moment after the slot was taken here, and two sends may arrive in another order than
    /// they took their slots.
    public func acquire(chat: Int64, on connection: RedisConnection) throws -> Grant {
        let reply = try connection.evaluate(
            QueueScripts.rateLimit,
            keys: [keys.chatRate(chat), keys.globalRate, keys.chatPause(chat)],
            arguments: [
                String(chatRate.count), String(Self.windowMillis(chatRate)),
                String(globalRate.count), String(Self.windowMillis(globalRate)),
            ])
        if let text = reply.text, text.hasPrefix("slot:") { return .slot(String(text.dropFirst(5))) }
        return .wait(millis: max(1, reply.int ?? 1))
    }

    /// Gives a slot back when the send did not reach Telegram or was refused (5xx), as Telegram does not
    /// count those either.
    public func release(chat: Int64, slot: String, on connection: RedisConnection) throws {
        try connection.command(["ZREM", keys.chatRate(chat), slot])
        try connection.command(["ZREM", keys.globalRate, slot])
    }

    static func windowMillis(_ rate: Rate) -> Int {
        let period = rate.period * 1000
        return Int((period + max(100, period * 0.02)).rounded(.up))
    }

    /// Pauses every send to `chat` for `seconds` (Telegram's `retry_after`).
    public func pause(chat: Int64, seconds: Int, on connection: RedisConnection) throws {
        try connection.command(["SET", keys.chatPause(chat), "1", "PX", String(max(seconds, 1) * 1000)])
    }
}
