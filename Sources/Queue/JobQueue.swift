import Foundation
import Redis

/// The Redis job queue: two streams of ready jobs read through one consumer group, a sorted set of
/// delayed jobs, and a hash of dead ones.
///
/// A delivered job stays in the stream's pending list until `complete` acknowledges it, so a worker killed
/// mid-job loses nothing: `reclaim` hands its jobs to a live worker once they sat idle for the lease.
/// Not thread-safe: it owns one connection; each worker thread builds its own queue.
public final class JobQueue {
    public let keys: QueueKeys
    public let connection: RedisConnection
    private var groupsReady = false

    public init(keys: QueueKeys, connection: RedisConnection) {
        self.keys = keys
        self.connection = connection
    }

    /// Creates the consumer group on both streams (from their start, so nothing added before is missed).
    public func ensureGroups() throws {
        for stream in keys.streams {
            do {
                try connection.command(["XGROUP", "CREATE", stream, QueueKeys.group, "0", "MKSTREAM"])
            } catch let error as RedisError where error.serverCode == "BUSYGROUP" {
                continue
            }
        }
    }

    /// `ensureGroups` once per connection lifetime, and again after Redis forgot the groups (`NOGROUP`).
    public func ensureGroupsOnce() throws {
        if groupsReady { return }
        try ensureGroups()
        groupsReady = true
    }

    // MARK: - Adding jobs

    /// Adds a ready job; returns its entry id.
    @discardableResult
    public func enqueue(_ job: Job) throws -> String {
        let reply = try connection.command(
            [
                "XADD", keys.stream(for: job.kind), "*", "kind", job.kind.rawValue, "body", job.body,
                "attempts", String(job.attempts),
            ])
        return reply.text ?? ""
    }

    /// Adds a ready job unless one with the same delivery key was added within `ttl` seconds.
    /// Returns the entry id, or nil for a duplicate.
    public func enqueueOnce(_ job: Job, deliveryKey: String, ttl: Int) throws -> String? {
        let reply = try connection.evaluate(
            QueueScripts.enqueueOnce, keys: [keys.stream(for: job.kind), keys.dedup(StableHash.hex(deliveryKey))],
            arguments: [String(ttl), job.kind.rawValue, job.body])
        return reply.text == "duplicate" ? nil : reply.text
    }

    /// Schedules a job for `dueMillis` on the Redis clock. The same job scheduled twice is kept once.
    public func schedule(_ job: Job, dueMillis: Int64) throws {
        try connection.command(["ZADD", keys.delayed, String(dueMillis), job.member])
    }

    // MARK: - Delayed jobs

    public struct Promotion: Sendable {
        public var moved: Int
        public var nextDueMillis: Int64?
        public var nowMillis: Int64
    }

    /// Moves due jobs to their streams in one atomic step; safe to run from every worker at once.
    public func promoteDue(limit: Int = 1000) throws -> Promotion {
        let reply = try connection.evaluate(
            QueueScripts.promote, keys: [keys.delayed, keys.urgent, keys.edits], arguments: [String(limit)])
        guard let parts = reply.array, parts.count == 3 else {
            throw RedisError(.unexpectedReply, operation: "script promote", message: "not three values")
        }
        let next = parts[1].text.flatMap { Double($0) }.map { Int64($0) }
        return Promotion(moved: Int(parts[0].int ?? 0), nextDueMillis: next, nowMillis: parts[2].int ?? 0)
    }

    // MARK: - Taking jobs

    /// Reads new jobs for `consumer`, urgent ones first, waiting up to `blockMillis` when there are none.
    public func read(consumer: String, blockMillis: Int) throws -> [DeliveredJob] {
        do {
            return try readNew(consumer: consumer, blockMillis: blockMillis)
        } catch let error as RedisError where error.serverCode == "NOGROUP" {
            groupsReady = false
            throw error
        }
    }

    private func readNew(consumer: String, blockMillis: Int) throws -> [DeliveredJob] {
        for stream in keys.streams {
            let reply = try connection.command(
                ["XREADGROUP", "GROUP", QueueKeys.group, consumer, "COUNT", "1", "STREAMS", stream, ">"])
            let jobs = Self.entries(reply)
            if !jobs.isEmpty { return jobs }
        }
        guard blockMillis > 0 else { return [] }
        let reply = try connection.command(
            [
                "XREADGROUP", "GROUP", QueueKeys.group, consumer, "COUNT", "1", "BLOCK", String(blockMillis),
                "STREAMS",
            ] + keys.streams + [">", ">"])
        return Self.entries(reply).sorted { lhs, _ in lhs.stream == keys.urgent }
    }

    /// Takes over jobs that sat with any consumer (a dead one, or this one) longer than `minIdleMillis`.
    /// Each comes with how many times it was delivered, counting this one.
    public func reclaim(consumer: String, minIdleMillis: Int, count: Int = 10) throws -> [(DeliveredJob, Int)] {
        var claimed: [(DeliveredJob, Int)] = []
        for stream in keys.streams {
            let reply = try connection.command(
                [
                    "XAUTOCLAIM", stream, QueueKeys.group, consumer, String(minIdleMillis), "0-0", "COUNT",
                    String(count),
                ])
            guard let parts = reply.array, parts.count >= 2 else { continue }
            for job in Self.parse(stream: stream, entries: parts[1]) {
                claimed.append((job, try deliveries(of: job)))
            }
        }
        return claimed
    }

    /// Whether `consumer` still holds `job` (no other worker took it over).
    public func owns(_ job: DeliveredJob, consumer: String) throws -> Bool {
        let reply = try connection.command(["XPENDING", job.stream, QueueKeys.group, job.id, job.id, "1"])
        return reply.array?.first?.array?[1].text == consumer
    }

    private func deliveries(of job: DeliveredJob) throws -> Int {
        let reply = try connection.command(["XPENDING", job.stream, QueueKeys.group, job.id, job.id, "1"])
        guard let first = reply.array?.first?.array, first.count == 4 else { return 1 }
        return Int(first[3].int ?? 1)
    }

    // MARK: - Finishing jobs

    /// Acknowledges `job` and writes its follow-ups, all or nothing. Returns false when another worker took
    /// the job over meanwhile (this worker was paused past its lease): then nothing is written.
    @discardableResult
    public func complete(_ job: DeliveredJob, consumer: String, followUps: FollowUps = FollowUps()) throws -> Bool {
        var operations: [String] = []
        for next in followUps.jobs {
            operations += ["X", next.kind.rawValue, next.body, String(next.attempts)]
        }
        for (next, due) in followUps.delayed { operations += ["Z", String(due), next.member] }
        for cancelled in followUps.cancelled { operations += ["R", cancelled.member] }
        return try finish(job, consumer: consumer, operations: operations)
    }

    /// Acknowledges `job` and schedules it again after `delayMillis`, one attempt more.
    @discardableResult
    public func retryLater(_ job: DeliveredJob, consumer: String, delayMillis: Int64) throws -> Bool {
        var again = job.job
        again.attempts += 1
        let now = try connection.serverTimeMillis()
        return try finish(job, consumer: consumer, operations: ["Z", String(now + delayMillis), again.member])
    }

    /// Acknowledges `job` and keeps it in the dead set with its last error, for `tocsin queue`.
    @discardableResult
    public func deadLetter(_ job: DeliveredJob, consumer: String, error: String) throws -> Bool {
        let record: [String: Any] = [
            "kind": job.unknownKind ?? job.job.kind.rawValue, "body": job.job.body, "attempts": job.job.attempts,
            "error": error, "at": (try? connection.serverTimeMillis()) ?? 0,
        ]
        let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        return try finish(job, consumer: consumer, operations: ["D", String(decoding: data, as: UTF8.self)])
    }

    private func finish(_ job: DeliveredJob, consumer: String, operations: [String]) throws -> Bool {
        let reply = try connection.evaluate(
            QueueScripts.complete,
            keys: [job.stream, keys.urgent, keys.edits, keys.delayed, keys.dead, keys.errors],
            arguments: [QueueKeys.group, consumer, job.id] + operations)
        return reply.text == "ok"
    }

    // MARK: - Liveness

    /// How long a job loop may stay silent and still count as alive: three missed heartbeats.
    public static let heartbeatMillis: Int64 = 5_000
    public static let aliveMillis: Int64 = 3 * heartbeatMillis

    /// Tells every reader that `consumer`'s loop is running (`tocsin queue stats`, `tocsin_workers_alive`).
    public func heartbeat(consumer: String) throws {
        _ = try connection.evaluate(QueueScripts.heartbeat, keys: [keys.workers], arguments: [consumer])
    }

    /// Takes a loop that stops cleanly off the list at once, instead of after `aliveMillis`.
    public func retire(consumer: String) throws {
        try connection.command(["ZREM", keys.workers, consumer])
    }

    // MARK: - Parsing stream replies

    /// Entries of an `XREADGROUP` reply: `[[stream, [[id, [field, value, …]], …]], …]`.
    static func entries(_ reply: RedisReply) -> [DeliveredJob] {
        guard let streams = reply.array else { return [] }
        return streams.flatMap { item -> [DeliveredJob] in
            guard let pair = item.array, pair.count == 2, let name = pair[0].text else { return [] }
            return parse(stream: name, entries: pair[1])
        }
    }

    static func parse(stream: String, entries: RedisReply) -> [DeliveredJob] {
        (entries.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let id = parts[0].text, let fields = parts[1].array
            else { return nil }
            var values: [String: String] = [:]
            var index = 0
            while index + 1 < fields.count {
                if let key = fields[index].text { values[key] = fields[index + 1].text ?? "" }
                index += 2
            }
            let kindText = values["kind"] ?? ""
            let job = Job(
                kind: JobKind(rawValue: kindText) ?? .alert, body: values["body"] ?? "",
                attempts: Int(values["attempts"] ?? "0") ?? 0)
            return DeliveredJob(
                id: id, stream: stream, job: job,
                unknownKind: JobKind(rawValue: kindText) == nil ? kindText : nil)
        }
    }
}
