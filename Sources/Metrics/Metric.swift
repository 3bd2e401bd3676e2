/// Every metric Tocsin exposes, with its type and help text, named the Prometheus way.
public struct Metric: Sendable, Equatable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public let name: String
    public let kind: Kind
    public let help: String
    public let buckets: [Double]

    init(_ name: String, _ kind: Kind, _ help: String, buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.buckets = buckets
    }

    public static let webhooks = Metric(
        "tocsin_webhooks_received_total", .counter, "Webhook requests received, by endpoint and HTTP answer code.")
    public static let duplicates = Metric(
        "tocsin_webhook_duplicates_total", .counter, "Notifications dropped as repeats of one already queued.")
    public static let jobs = Metric(
        "tocsin_jobs_processed_total", .counter,
        "Jobs run, by kind and outcome (done, deferred, retried, dead, fenced).")
    public static let jobSeconds = Metric(
        "tocsin_job_duration_seconds", .histogram, "Time a job took to run, by kind.",
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    public static let telegram = Metric(
        "tocsin_telegram_requests_total", .counter,
        "Bot API requests, by method and outcome (sent, retry_after, "
            + "retry, maybe_sent, migrated, permanent).")
    public static let pages = Metric(
        "tocsin_pages_total", .counter, "Cards posted that page a level, by level.")
    public static let escalations = Metric(
        "tocsin_escalations_total", .counter, "Incidents passed to the next level, by cause (timer, forward) and level."
    )
    public static let acknowledgements = Metric(
        "tocsin_acknowledgements_total", .counter, "Incidents acknowledged, by the level they had reached.")
    public static let timeToAcknowledge = Metric(
        "tocsin_time_to_acknowledge_seconds", .histogram, "Time from an incident's opening to its acknowledgement.",
        buckets: [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600])
    public static let queueJobs = Metric(
        "tocsin_queue_jobs", .gauge, "Jobs in the Redis queue, by state (ready, pending, delayed, dead).")
    public static let oldestReady = Metric(
        "tocsin_queue_oldest_ready_seconds", .gauge, "Age of the oldest job waiting for a worker.")
    public static let workersAlive = Metric(
        "tocsin_workers_alive", .gauge, "Worker job loops that reported to Redis within the last 15 seconds.")
    public static let openIncidents = Metric(
        "tocsin_open_incidents", .gauge, "Incidents not resolved, by state and level.")
    public static let watchdogAge = Metric(
        "tocsin_watchdog_age_seconds", .gauge, "Seconds since Alertmanager's Watchdog heartbeat last arrived.")

    public static let all: [Metric] = [
        webhooks, duplicates, jobs, jobSeconds, telegram, pages, escalations, acknowledgements, timeToAcknowledge,
        queueJobs, oldestReady, workersAlive, openIncidents, watchdogAge,
    ]
}
