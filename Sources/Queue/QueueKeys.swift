/// The names of every Redis key Tocsin uses, all inside one hash tag (`{prefix}:…`) so that every script
/// touches a single slot and also runs on Redis Cluster.
public struct QueueKeys: Sendable {
    public let prefix: String

    public init(prefix: String) {
        self.prefix = prefix
    }

    private func key(_ suffix: String) -> String { "{\(prefix)}:\(suffix)" }

    /// Ready jobs that page people: alerts, clicks, escalations, new cards.
    public var urgent: String { key("jobs:urgent") }
    /// Ready card edits; taken only when no urgent job waits.
    public var edits: String { key("jobs:edit") }
    public var streams: [String] { [urgent, edits] }
    /// Delayed jobs, scored by due time in milliseconds of the Redis clock.
    public var delayed: String { key("delayed") }
    /// Dead jobs: entry id to a JSON record with the job and its last error.
    public var dead: String { key("dead") }
    /// Last error of each job that failed at least once, by entry id.
    public var errors: String { key("errors") }
    /// Job loops alive: consumer name to the Redis time (ms) it last reported, refreshed every few seconds.
    public var workers: String { key("workers") }
    public var pollerLease: String { key("telegram:poller") }
    public var updateOffset: String { key("telegram:offset") }
    public var chatOverride: String { key("telegram:chat") }
    public var globalRate: String { key("rate:global") }
    /// When Alertmanager's Watchdog heartbeat last arrived, in milliseconds of the Redis clock.
    public var watchdog: String { key("watchdog") }

    public func dedup(_ hash: String) -> String { key("dedup:\(hash)") }
    public func update(_ id: Int64) -> String { key("update:\(id)") }
    public func chatRate(_ chat: Int64) -> String { key("rate:chat:\(chat)") }
    public func chatPause(_ chat: Int64) -> String { key("pause:chat:\(chat)") }

    public static let group = "workers"

    public func stream(for kind: JobKind) -> String { kind == .edit ? edits : urgent }
}
