import Foundation
import Logging
import Metrics
import Models
import Postgres
import Queue
import Redis
import Synchronization

/// A flag every loop checks between jobs; SIGTERM sets it.
public final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    public init() {}

    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    public func stop() { stopped.store(true, ordering: .releasing) }

    /// Sleeps up to `seconds`, waking early when stopped.
    public func sleep(_ seconds: Double) {
        var left = seconds
        while left > 0, !isStopped {
            Thread.sleep(forTimeInterval: min(left, 0.1))
            left -= 0.1
        }
    }
}

/// One job loop on a thread of its own: promote due timers, take over jobs of dead workers, take the next
/// job (urgent first), run it, and acknowledge it with its follow-ups in one step.
public final class WorkerLoop {
    let config: Config
    let consumer: String
    let stop: StopSignal
    let logger: Logger
    private let queue: JobQueue
    private let runner: JobRunner
    private var lastReclaim = Date.distantPast
    private var lastWatchdogCheck = Date.distantPast
    private var lastHeartbeat = Date.distantPast
    private var backoff = 0.1

    public init(config: Config, consumer: String, stop: StopSignal, logger: Logger) {
        self.config = config
        self.consumer = consumer
        self.stop = stop
        self.logger = logger.with(.consumer, consumer)
        let redisURL = RedisURL(config.redisURL) ?? RedisURL()
        queue = JobQueue(
            keys: QueueKeys(prefix: config.keyPrefix), connection: RedisConnection(url: redisURL, timeout: 6))
        // A session idle inside a transaction longer than the lease belongs to a paused worker: PostgreSQL
        // ends it, releasing its row locks for the worker that took the job over.
        let idleLimit = Int(max(config.jobLease, 1) * 1000)
        let db = PostgresConnection(
            conninfo: config.databaseURL,
            onConnect: [
                "SET idle_in_transaction_session_timeout = \(idleLimit)", "SET lock_timeout = \(idleLimit)",
            ])
        runner = JobRunner(
            config: config, queue: queue, db: db,
            telegram: TelegramClient(apiURL: config.telegramAPIURL, token: config.botToken),
            logger: logger)
    }

    /// Runs until `stop` is set; the job in hand is finished first.
    public func run() {
        logger.info("worker loop started")
        while !stop.isStopped {
            do {
                try step()
                backoff = 0.1
            } catch {
                logger.error(
                    "queue unavailable; retrying", (.error, "\(error)"), (.delayMillis, String(Int(backoff * 1000))))
                stop.sleep(backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        try? queue.retire(consumer: consumer)
        logger.info("worker loop stopped")
    }

    /// One round: returns after running at most a couple of jobs, or after waiting up to a second.
    func step() throws {
        try queue.ensureGroupsOnce()
        let promotion = try queue.promoteDue()
        if Date().timeIntervalSince(lastReclaim) > config.jobLease / 2 {
            lastReclaim = Date()
            for (job, deliveries) in try queue.reclaim(consumer: consumer, minIdleMillis: Int(config.jobLease * 1000)) {
                logger.warning(
                    "took over a job left by a stopped worker", (.job, job.id), (.attempt, String(deliveries)))
                if deliveries > JobRunner.maxAttempts + 1 {
                    try queue.deadLetter(
                        job, consumer: consumer, error: "delivered \(deliveries) times without finishing")
                } else {
                    try handle(job)
                }
            }
        }
        if Date().timeIntervalSince(lastHeartbeat) * 1000 >= Double(JobQueue.heartbeatMillis) {
            lastHeartbeat = Date()
            try queue.heartbeat(consumer: consumer)
        }
        if Date().timeIntervalSince(lastWatchdogCheck) > 15 {
            lastWatchdogCheck = Date()
            try Watchdog(keys: queue.keys).check(timeout: config.watchdogTimeout, on: queue.connection, logger: logger)
        }
        var block = 1000
        if let next = promotion.nextDueMillis { block = Int(max(1, min(Int64(block), next - promotion.nowMillis))) }
        for job in try queue.read(consumer: consumer, blockMillis: block) {
            try handle(job)
        }
    }

    private func handle(_ delivered: DeliveredJob) throws {
        let jobLogger = logger.with(.job, delivered.id).with(.jobKind, delivered.job.kind.rawValue)
        if let unknown = delivered.unknownKind {
            jobLogger.error("unknown job kind; moved to the dead set", (.jobKind, unknown))
            try queue.deadLetter(delivered, consumer: consumer, error: "unknown job kind '\(unknown)'")
            return
        }
        let started = Date()
        runner.fence = { [queue, consumer] in try queue.owns(delivered, consumer: consumer) }
        let result = runner.run(delivered.job, logger: jobLogger)
        let seconds = Date().timeIntervalSince(started)
        let elapsed = String(Int(seconds * 1000))
        MetricsRegistry.shared.observe(.jobSeconds, ["kind": delivered.job.kind.rawValue], seconds)
        MetricsRegistry.shared.increment(.jobs, ["kind": delivered.job.kind.rawValue, "outcome": result.metricLabel])
        let accepted: Bool
        switch result {
        case .done(let followUps):
            accepted = try queue.complete(delivered, consumer: consumer, followUps: followUps)
            jobLogger.debug("job done", (.delayMillis, elapsed), (.count, String(followUps.jobs.count)))
        case .deferred(let millis):
            var same = delivered
            same.job.attempts -= 1
            // Edits wait a little longer than pages, so a page deferred by the same limit goes first.
            let delay = millis + (delivered.job.kind == .edit ? 250 : 0)
            jobLogger.debug("job deferred by the rate limit", (.delayMillis, String(delay)))
            accepted = try queue.retryLater(same, consumer: consumer, delayMillis: delay)
        case .failed(let reason, let transient):
            if !transient && delivered.job.attempts + 1 >= JobRunner.maxAttempts {
                jobLogger.error("job failed for the last time; moved to the dead set", (.error, reason))
                accepted = try queue.deadLetter(delivered, consumer: consumer, error: reason)
            } else {
                let delay = Self.backoffMillis(attempt: delivered.job.attempts)
                jobLogger.warning("job failed; will retry", (.error, reason), (.delayMillis, String(delay)))
                var next = delivered
                if transient { next.job.attempts = min(next.job.attempts, JobRunner.maxAttempts - 2) }
                accepted = try queue.retryLater(next, consumer: consumer, delayMillis: delay)
            }
        case .dead(let reason):
            jobLogger.error("job can never succeed; moved to the dead set", (.error, reason))
            accepted = try queue.deadLetter(delivered, consumer: consumer, error: reason)
        case .fenced:
            accepted = false
        }
        if !accepted {
            jobLogger.warning("job was taken over by another worker while it ran; result dropped")
        }
    }

    /// Exponential backoff with jitter: about 0.5 s, 1 s, 2 s … capped at 30 s.
    static func backoffMillis(attempt: Int) -> Int64 {
        let base = min(30_000.0, 500 * pow(2, Double(max(0, attempt))))
        return Int64(base * Double.random(in: 0.8...1.2))
    }
}
