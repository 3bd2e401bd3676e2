import Metrics
import Redis

/// What is in the queue, read without taking anything from the workers (for `tocsin queue` and `/metrics`).
public struct QueueInspector {
    public let keys: QueueKeys
    public let connection: RedisConnection

    public init(keys: QueueKeys, connection: RedisConnection) {
        self.keys = keys
        self.connection = connection
    }

    public struct Stats: Sendable, Equatable {
        /// Ready jobs not yet delivered to a worker, by stream (`urgent`, `edit`).
        public var ready: [String: Int] = [:]
        /// Ready jobs by kind (`alert`, `post`, …), counted over the first `kindScanLimit` of each stream.
        public var readyByKind: [String: Int] = [:]
        /// Delayed jobs by kind (`escalate`, or a job waiting out a backoff), over the first `kindScanLimit`.
        public var delayedByKind: [String: Int] = [:]
        /// Jobs delivered to a worker and not yet acknowledged (in flight, or left by a dead worker).
        public var pending = 0
        public var delayed = 0
        public var dead = 0
        /// Seconds the oldest undelivered job has waited, 0 when none waits.
        public var oldestReadySeconds = 0.0
        /// Seconds until the next delayed job is due, nil when there is none.
        public var nextDueSeconds: Double?
        /// Job loops that reported within `JobQueue.aliveMillis`, by consumer name.
        public var workersAlive: [String] = []
    }

    /// How many entries per stream or set `stats` reads to count kinds; past it the totals stay exact.
    public static let kindScanLimit = 10_000

    public func stats() throws -> Stats {
        var stats = Stats()
        let now = try connection.serverTimeMillis()
        for (name, stream) in [("urgent", keys.urgent), ("edit", keys.edits)] {
            let group = try groupInfo(stream)
            stats.ready[name] = group.lag
            stats.pending += group.pending
            guard group.lag > 0 else { continue }
            if let first = try firstUndelivered(stream, after: group.lastDelivered) {
                stats.oldestReadySeconds = max(stats.oldestReadySeconds, Double(now - first) / 1000)
            }
            let undelivered = try connection.command(
                ["XRANGE", stream, "(" + group.lastDelivered, "+", "COUNT", String(Self.kindScanLimit)])
            for job in JobQueue.parse(stream: stream, entries: undelivered) {
                stats.readyByKind[job.unknownKind ?? job.job.kind.rawValue, default: 0] += 1
            }
        }
        stats.delayed = Int(try connection.command(["ZCARD", keys.delayed]).int ?? 0)
        let members = try connection.command(["ZRANGE", keys.delayed, "0", String(Self.kindScanLimit - 1)])
        for member in members.array ?? [] {
            guard let kind = member.text?.split(separator: "|", maxSplits: 1).first else { continue }
            stats.delayedByKind[String(kind), default: 0] += 1
        }
        stats.dead = Int(try connection.command(["HLEN", keys.dead]).int ?? 0)
        let recent = try connection.command(
            ["ZRANGEBYSCORE", keys.workers, String(now - JobQueue.aliveMillis), "+inf"])
        stats.workersAlive = (recent.array ?? []).compactMap(\.text)
        if let head = try connection.command(["ZRANGE", keys.delayed, "0", "0", "WITHSCORES"]).array, head.count == 2,
            let due = head[1].text.flatMap(Double.init)
        {
            stats.nextDueSeconds = (due - Double(now)) / 1000
        }
        return stats
    }

    /// The queue as `/metrics` gauges: jobs by state, the oldest ready job's age, the Watchdog's age.
    public func gauges() throws -> [(Metric, [String: String], Double)] {
        let stats = try stats()
        var gauges: [(Metric, [String: String], Double)] = [
            (.queueJobs, ["state": "ready"], Double(stats.ready.values.reduce(0, +))),
            (.queueJobs, ["state": "pending"], Double(stats.pending)),
            (.queueJobs, ["state": "delayed"], Double(stats.delayed)),
            (.queueJobs, ["state": "dead"], Double(stats.dead)),
            (.oldestReady, [:], stats.oldestReadySeconds),
            (.workersAlive, [:], Double(stats.workersAlive.count)),
        ]
        if let seen = try connection.command(["GET", keys.watchdog]).text.flatMap(Double.init) {
            gauges.append((.watchdogAge, [:], (Double(try connection.serverTimeMillis()) - seen) / 1000))
        }
        return gauges
    }

    /// The consumer group's undelivered count, pending count and last delivered id on `stream`.
    ///
    /// Undelivered is the stream's length less the pending entries: workers delete every entry they
    /// finish (`XDEL`), so those are all the stream holds. (Redis' own `lag` is unknown once entries were
    /// deleted.)
    private func groupInfo(_ stream: String) throws -> (lag: Int, pending: Int, lastDelivered: String) {
        let groups: [RedisReply]
        do {
            groups = try connection.command(["XINFO", "GROUPS", stream]).array ?? []
        } catch let error as RedisError where error.kind == .server {
            return (0, 0, "0-0")  // the stream does not exist yet
        }
        for group in groups {
            let fields = Self.fields(group)
            guard fields["name"]?.text == QueueKeys.group else { continue }
            let pending = Int(fields["pending"]?.int ?? 0)
            let length = Int(try connection.command(["XLEN", stream]).int ?? 0)
            return (max(0, length - pending), pending, fields["last-delivered-id"]?.text ?? "0-0")
        }
        return (0, 0, "0-0")
    }

    /// The time (ms) in the id of the first entry after `id`.
    private func firstUndelivered(_ stream: String, after id: String) throws -> Int64? {
        let entries = try connection.command(["XRANGE", stream, "(" + id, "+", "COUNT", "1"]).array ?? []
        guard let first = entries.first?.array?.first?.text else { return nil }
        return Int64(first.split(separator: "-").first ?? "")
    }

    /// A span for people: `5.2s` under a minute, then `4m05s`, `3h20m`, `2d04h`.
    public static func seconds(_ millis: Int64) -> String {
        let sign = millis < 0 ? "-" : ""
        let millis = abs(millis)
        if millis < 60_000 { return sign + "\((Double(millis) / 100).rounded() / 10)s" }
        let total = millis / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if total < 3600 { return sign + "\(total / 60)m\(two(total % 60))s" }
        if total < 86_400 { return sign + "\(total / 3600)h\(two(total % 3600 / 60))m" }
        return sign + "\(total / 86_400)d\(two(total % 86_400 / 3600))h"
    }

    static func fields(_ reply: RedisReply) -> [String: RedisReply] {
        var fields: [String: RedisReply] = [:]
        let items = reply.array ?? []
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].text { fields[key] = items[index + 1] }
            index += 2
        }
        return fields
    }

    // MARK: - Listings

    public struct Entry: Sendable {
        public var id: String
        public var kind: String
        public var body: String
        public var attempts: Int
        /// Due time (delayed), age (pending), or the last error (dead).
        public var detail: String
        public var worker: String?

        /// What the job is about (`Job.subject`); empty for a kind this version does not know.
        public var subject: String {
            JobKind(rawValue: kind).map { Job(kind: $0, body: body).subject } ?? ""
        }
    }

    public func list(_ state: String, limit: Int = 200) throws -> [Entry] {
        let now = try connection.serverTimeMillis()
        switch state {
        case "ready":
            var entries: [Entry] = []
            for stream in keys.streams {
                let group = try groupInfo(stream)
                let replies =
                    try connection.command(
                        ["XRANGE", stream, "(" + group.lastDelivered, "+", "COUNT", String(limit)]).array ?? []
                for job in JobQueue.parse(stream: stream, entries: .array(replies)) {
                    let millis = Int64(job.id.split(separator: "-").first ?? "") ?? now
                    entries.append(
                        Entry(
                            id: job.id, kind: job.unknownKind ?? job.job.kind.rawValue, body: job.job.body,
                            attempts: job.job.attempts, detail: "waiting \(Self.seconds(now - millis))"))
                }
            }
            return entries
        case "pending":
            var entries: [Entry] = []
            for stream in keys.streams {
                let pending =
                    try connection.command(
                        ["XPENDING", stream, QueueKeys.group, "-", "+", String(limit)]).array ?? []
                for item in pending {
                    guard let fields = item.array, fields.count == 4, let id = fields[0].text else { continue }
                    let job = JobQueue.parse(
                        stream: stream, entries: try connection.command(["XRANGE", stream, id, id])
                    )
                    .first
                    entries.append(
                        Entry(
                            id: id, kind: job?.job.kind.rawValue ?? "?", body: job?.job.body ?? "",
                            attempts: Int(fields[3].int ?? 1) - 1,
                            detail: "in flight for \(Self.seconds(fields[2].int ?? 0))",
                            worker: fields[1].text))
                }
            }
            return entries
        case "delayed":
            let items =
                try connection.command(
                    ["ZRANGE", keys.delayed, "0", String(limit - 1), "WITHSCORES"]).array ?? []
            var entries: [Entry] = []
            var index = 0
            while index + 1 < items.count {
                let member = items[index].text ?? ""
                let due = items[index + 1].text.flatMap(Double.init) ?? 0
                let parts = member.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(
                    String.init)
                entries.append(
                    Entry(
                        id: member, kind: parts.first ?? "?", body: parts.count > 2 ? parts[2] : "",
                        attempts: Int(parts.count > 1 ? parts[1] : "0") ?? 0,
                        detail: "due in \(Self.seconds(Int64(due) - now))"))
                index += 2
            }
            return entries
        case "dead":
            let items = try connection.command(["HGETALL", keys.dead]).array ?? []
            var entries: [Entry] = []
            var index = 0
            while index + 1 < items.count {
                let record = DeadRecord(items[index + 1].text ?? "")
                entries.append(
                    Entry(
                        id: items[index].text ?? "", kind: record.kind, body: record.body,
                        attempts: record.attempts, detail: record.error))
                index += 2
            }
            return entries
        default:
            throw RedisError(.unexpectedReply, operation: "queue list", message: "unknown state '\(state)'")
        }
    }
}
