import Foundation
import JSON
import Logging
import Models
import Queue
import Redis

/// Long-polls `getUpdates` while holding the single poller lease, and turns each update into a job.
///
/// An update's offset is confirmed to Telegram only after its job is stored in Redis, so a poller killed at
/// any point loses nothing; the next holder of the lease starts from the stored offset. Each update id is
/// stored once (a dedup key), so an update seen twice by two pollers makes one job.
/// Limitation: a poller paused longer than the lease can overlap with its successor for one poll; Telegram
/// answers one of them 409 and the dedup key keeps the updates single.
public final class UpdatePoller {
    private let config: Config
    private let stop: StopSignal
    private let logger: Logger
    private let queue: JobQueue
    private let lease: PollerLease
    private let telegram: TelegramClient
    static let pollSeconds = 10
    /// The lease outlives one poll by 5 s. A poller that dies is replaced within about 16 s: in time for
    /// most clicks it had not fetched yet, as Telegram takes click answers for about 15 s.
    static let leaseMillis = (pollSeconds + 5) * 1000

    public init(config: Config, holder: String, stop: StopSignal, logger: Logger) {
        self.config = config
        self.stop = stop
        self.logger = logger.with(.consumer, holder)
        let keys = QueueKeys(prefix: config.keyPrefix)
        queue = JobQueue(keys: keys, connection: RedisConnection(url: RedisURL(config.redisURL) ?? RedisURL()))
        lease = PollerLease(keys: keys, holder: holder, ttlMillis: Self.leaseMillis)
        telegram = TelegramClient(apiURL: config.telegramAPIURL, token: config.botToken)
    }

    public func run() {
        var holding = false
        while !stop.isStopped {
            do {
                guard try lease.acquire(on: queue.connection) else {
                    if holding { logger.warning("lost the getUpdates lease to another worker") }
                    holding = false
                    stop.sleep(1)
                    continue
                }
                if !holding { logger.info("holding the getUpdates lease") }
                holding = true
                try pollOnce()
            } catch {
                logger.error("update polling failed; retrying", (.error, "\(error)"))
                stop.sleep(2)
            }
        }
    }

    private func pollOnce() throws {
        let offset = Int64(try queue.connection.command(["GET", queue.keys.updateOffset]).text ?? "0") ?? 0
        let (outcome, updates) = telegram.getUpdates(offset: offset, timeout: Self.pollSeconds)
        switch outcome {
        case .ok:
            var next = offset
            for update in updates {
                guard let id = update["update_id"]?.int64Value else { continue }
                try queue.ensureGroupsOnce()
                let body = update.serialized
                _ = try queue.enqueueOnce(Job(kind: .update, body: body), deliveryKey: "update:\(id)", ttl: 86_400)
                next = max(next, id + 1)
                logger.debug("update stored", (.updateID, String(id)))
            }
            if next != offset { try queue.connection.command(["SET", queue.keys.updateOffset, String(next)]) }
        case .retryAfter(let seconds):
            stop.sleep(Double(seconds))
        case .permanent(let code, let description) where code == 409:
            logger.warning("getUpdates conflict", (.error, description))
            stop.sleep(3)
        default:
            logger.warning("getUpdates failed", (.error, "\(outcome)"))
            stop.sleep(2)
        }
    }
}
