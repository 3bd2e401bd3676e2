import Foundation
import JSON
import Logging
import Metrics
import Models
import Postgres
import Queue
import Redis

/// What running a job came to.
public enum JobResult: Sendable, Equatable {
    /// Done: acknowledge, and write these follow-ups with the acknowledgement.
    case done(FollowUps)
    /// Not now (a rate limit, a pause after 429): run again after this many milliseconds, same attempt.
    case deferred(millis: Int64)
    /// Failed; `transient` failures (PostgreSQL or Redis away, Telegram 5xx) are retried without end,
    /// the others go to the dead set after `JobRunner.maxAttempts`.
    case failed(reason: String, transient: Bool)
    /// Can never succeed (Telegram refused the request as invalid): straight to the dead set.
    case dead(reason: String)
    /// Another worker took the job over while this one was paused: leave it to them.
    case fenced
}

/// Runs jobs of every kind. One runner per worker thread: it owns that thread's PostgreSQL connection,
/// Telegram client and Redis queue connection.
public final class JobRunner {
    public static let maxAttempts = 5

    let config: Config
    let queue: JobQueue
    let db: PostgresConnection
    let telegram: TelegramClient
    let limiter: RateLimiter
    let logger: Logger
    var incidents: IncidentStore { IncidentStore(db: db) }
    /// Whether the job being run is still this worker's; set by the loop for each job.
    var fence: () throws -> Bool = { true }

    public init(config: Config, queue: JobQueue, db: PostgresConnection, telegram: TelegramClient, logger: Logger) {
        self.config = config
        self.queue = queue
        self.db = db
        self.telegram = telegram
        self.limiter = RateLimiter(keys: queue.keys, chatRate: config.chatRate, globalRate: config.globalRate)
        self.logger = logger
    }

    /// Runs one job and turns every error into a result; it never throws.
    public func run(_ job: Job, logger: Logger) -> JobResult {
        do {
            switch job.kind {
            case .alert: return try runAlert(job.body, logger: logger)
            case .post: return try runPost(messageID: try Self.field(job.body, "message"), logger: logger)
            case .edit: return try runEdit(messageID: try Self.field(job.body, "message"), logger: logger)
            case .escalate:
                return try runEscalation(
                    incidentID: try Self.field(job.body, "incident"),
                    level: Int(try Self.field(job.body, "level")), logger: logger)
            case .update: return try runUpdate(job.body, logger: logger)
            }
        } catch let error as PostgresError {
            _ = try? db.query("ROLLBACK")
            return .failed(reason: error.description, transient: error.isTransient || error.kind == .connection)
        } catch let error as RedisError {
            _ = try? db.query("ROLLBACK")
            return .failed(reason: error.description, transient: error.kind == .connection)
        } catch {
            _ = try? db.query("ROLLBACK")
            return .failed(reason: "\(error)", transient: false)
        }
    }

    // MARK: - Job bodies

    static func postJob(_ messageID: Int64) -> Job { Job(kind: .post, body: "{\"message\":\(messageID)}") }
    static func editJob(_ messageID: Int64) -> Job { Job(kind: .edit, body: "{\"message\":\(messageID)}") }
    static func escalateJob(_ incidentID: Int64, level: Int) -> Job {
        Job(kind: .escalate, body: "{\"incident\":\(incidentID),\"level\":\(level)}")
    }

    static func field(_ body: String, _ name: String) throws -> Int64 {
        guard let value = JSONValue.parse(Array(body.utf8))?[name]?.int64Value else {
            throw JobError(message: "job body has no numeric '\(name)'")
        }
        return value
    }

    /// The chat cards go to: the configured one, or the supergroup it was upgraded to.
    func chatID() throws -> Int64 {
        let rows = try db.query("SELECT value FROM settings WHERE key = $1", ["chat:\(config.chatID)"])
        return rows.first?["value"].flatMap { Int64($0) } ?? config.chatID
    }

    /// Counts a committed transition in the metrics.
    private func countTransition(_ entry: HistoryEntry, incident: IncidentRow) {
        let metrics = MetricsRegistry.shared
        switch entry.kind {
        case "escalated": metrics.increment(.escalations, ["cause": "timer", "level": String(entry.level)])
        case "forwarded": metrics.increment(.escalations, ["cause": "forward", "level": String(entry.level)])
        case "acknowledged":
            metrics.increment(.acknowledgements, ["level": String(entry.level)])
            if let opened = try? db.query(
                "SELECT extract(epoch FROM now() - opened_at) AS age FROM incidents "
                    + "WHERE id = $1", [String(incident.id)]
            ).first?.double("age") {
                metrics.observe(.timeToAcknowledge, [:], opened)
            }
        default: break
        }
    }

    /// Follow-ups that bring every posted card up to date after a transition.
    func followUps(
        for transition: Transition, incident: IncidentRow, newMessage: Int64?,
        edits: [Int64]
    ) -> FollowUps {
        var next = FollowUps()
        if let newMessage { next.jobs.append(Self.postJob(newMessage)) }
        next.jobs += edits.map(Self.editJob)
        if transition.actions.contains(.cancelTimer)
            || transition.actions.contains(where: {
                if case .postCard = $0 { return true }
                return false
            })
        {
            next.cancelled.append(Self.escalateJob(incident.id, level: incident.state.level))
        }
        return next
    }

    /// Applies a transition inside the caller's transaction: saves the state (compare-and-set), writes
    /// history, records the next level's card and asks for edits of the others.
    func commit(_ transition: Transition, to incident: IncidentRow) throws -> FollowUps? {
        guard let entry = transition.history else { return FollowUps() }
        guard try incidents.save(incident, state: transition.state, expected: incident.version) else { return nil }
        try incidents.record(incident.id, entry)
        countTransition(entry, incident: incident)
        var newMessage: Int64?
        for action in transition.actions {
            if case .postCard(let level) = action {
                newMessage = try incidents.addMessage(incidentID: incident.id, level: level, chatID: try chatID())
            }
        }
        if transition.actions.contains(.cancelTimer) { try incidents.setEscalation(incident.id, atMillis: nil) }
        let edits = try incidents.requestEdits(incident.id).filter { $0 != newMessage }
        return followUps(for: transition, incident: incident, newMessage: newMessage, edits: edits)
    }
}

extension JobResult {
    /// The outcome's name in metrics.
    var metricLabel: String {
        switch self {
        case .done: "done"
        case .deferred: "deferred"
        case .failed(_, let transient): transient ? "retried" : "failed"
        case .dead: "dead"
        case .fenced: "fenced"
        }
    }
}

struct JobError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
