import Foundation
import Logging
import Models
import Queue
import Redis

/// Notices when the alerting chain above Tocsin went silent.
///
/// Alertmanager sends the always-firing `Watchdog` alert every `repeat_interval` (1 minute in `ops/`); each
/// arrival is stored in Redis. When none came for `TOCSIN_WATCHDOG_TIMEOUT` (10 minutes by default) after at
/// least one did, any worker enqueues a `WatchdogMissing` notification for the service `alerting-chain` that
/// starts at level 3 (the SRE); the next heartbeat resolves it. Both go through the ordinary alert job, with
/// the same dedup key for every worker, so the page is sent once.
struct Watchdog {
    static let heartbeatAlert = "Watchdog"
    static let missingAlert = "WatchdogMissing"
    static let service = "alerting-chain"
    /// A label that makes a new incident start at this level instead of level 1.
    static let startLevelLabel = "tocsin_page_level"
    static let groupKey = "tocsin:watchdog-missing"

    let keys: QueueKeys
    var missingFlag: String { keys.watchdog + ":missing" }

    /// Records a heartbeat; resolves the missing-heartbeat page if one was sent.
    func heartbeat(on redis: RedisConnection, logger: Logger) throws {
        let now = try redis.serverTimeMillis()
        try redis.command(["SET", keys.watchdog, String(now)])
        if try redis.command(["DEL", missingFlag]).int == 1 {
            logger.info("watchdog heartbeat is back; resolving the missing-heartbeat page")
            try enqueue(status: .resolved, deliveryKey: "watchdog-back:\(now)", on: redis)
        }
    }

    /// Pages level 3 once when the last heartbeat is older than `timeout`.
    func check(timeout: Double, on redis: RedisConnection, logger: Logger) throws {
        guard let last = try redis.command(["GET", keys.watchdog]).text.flatMap(Int64.init) else { return }
        let silent = Double(try redis.serverTimeMillis() - last) / 1000
        guard silent > timeout else { return }
        guard try redis.command(["SET", missingFlag, "1", "NX"]).text == "OK" else { return }
        logger.error(
            "no Watchdog heartbeat from Alertmanager; paging level 3",
            (.delayMillis, String(Int(silent * 1000))))
        try enqueue(
            status: .firing, deliveryKey: "watchdog-missing:\(last)", on: redis,
            summary: "No Watchdog heartbeat from Alertmanager for \(Duration.format(silent.rounded())): "
                + "Prometheus or Alertmanager may be down, and no other alert would reach you.")
    }

    private func enqueue(
        status: AlertStatus, deliveryKey: String, on redis: RedisConnection,
        summary: String = "Alertmanager's Watchdog heartbeat is arriving again."
    ) throws {
        let labels = [
            "alertname": Self.missingAlert, "service": Self.service, "severity": "critical",
            Self.startLevelLabel: "3",
        ]
        let alert = Alert(
            status: status, labels: labels, annotations: ["summary": summary],
            startsAt: "", fingerprint: "tocsin-watchdog-missing")
        let payload = WebhookPayload(
            groupKey: Self.groupKey, status: status, alerts: [alert],
            commonLabels: labels, commonAnnotations: ["summary": summary])
        let body = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        let queue = JobQueue(keys: keys, connection: redis)
        try queue.ensureGroupsOnce()
        _ = try queue.enqueueOnce(Job(kind: .alert, body: body), deliveryKey: deliveryKey, ttl: 86_400)
    }
}
