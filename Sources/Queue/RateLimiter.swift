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

    /// Takes a send slot for `chat`, or returns how many milliseconds to wait (taking nothing).
    public func acquire(chat: Int64, on connection: RedisConnection) throws -> Int64 {
        let reply = try connection.evaluate(
            QueueScripts.rateLimit,
            keys: [keys.chatRate(chat), keys.globalRate, keys.chatPause(chat)],
            arguments: [String(chatRate.count), String(Int((chatRate.period * 1000).rounded(.up))),
                        String(globalRate.count), String(Int((globalRate.period * 1000).rounded(.up)))])
        return reply.int ?? 0
    }

    /// Pauses every send to `chat` for `seconds` (Telegram's `retry_after`).
    public func pause(chat: Int64, seconds: Int, on connection: RedisConnection) throws {
        try connection.command(["SET", keys.chatPause(chat), "1", "PX", String(max(seconds, 1) * 1000)])
    }
}
