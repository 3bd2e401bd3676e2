import Foundation
import HTTPServer
import Logging
import Metrics
import Models
import Queue
import Redis
import Synchronization

/// `tocsin ingest`: takes Alertmanager's and Telegram's webhooks and stores each as a job in Redis before
/// answering 200, so an answered request is never lost.
public final class IngestServer: Sendable {
    private let config: Config
    private let logger: Logger
    private let pool: RedisPool
    private let keys: QueueKeys
    private let metrics = MetricsRegistry.shared
    /// Whether this process created the consumer groups already; reset when Redis says they are gone.
    private let groupsReady = Atomic<Bool>(false)
    /// How long two equal notifications count as one delivery (an HA pair, a retry).
    static let dedupSeconds = 600

    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
        pool = RedisPool(url: RedisURL(config.redisURL) ?? RedisURL())
        keys = QueueKeys(prefix: config.keyPrefix)
    }

    /// Starts listening; the returned server runs until stopped.
    public func start() throws -> HTTPServer {
        let server = try HTTPServer(address: config.listen, maxBodyBytes: 1 << 20) { [self] request in
            handle(request)
        }
        logger.info("listening", (.address, config.listen))
        return server
    }

    /// Routes one request. Public so tests can drive the handlers without a socket.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let response: HTTPResponse
        switch (request.method, request.path) {
        case ("POST", "/alertmanager"): response = alertmanager(request)
        case ("POST", "/telegram"): response = telegram(request)
        case ("GET", "/healthz"): return .text(200, "ok")
        case ("GET", "/readyz"): return ready()
        case ("GET", "/metrics"): return metricsPage()
        case (_, "/alertmanager"), (_, "/telegram"), (_, "/healthz"), (_, "/readyz"), (_, "/metrics"):
            return .text(405, "method not allowed")
        default:
            return .text(404, "not found")
        }
        metrics.increment(.webhooks, ["endpoint": String(request.path.dropFirst()), "code": String(response.status)])
        return response
    }

    // MARK: - Alertmanager

    private func alertmanager(_ request: HTTPRequest) -> HTTPResponse {
        if let token = config.webhookToken {
            guard let header = request.headers["authorization"], Self.constantTimeEqual(header, "Bearer " + token)
            else {
                logger.warning("webhook refused: missing or wrong bearer token", (.path, request.path))
                return .text(401, "missing or wrong bearer token")
            }
        }
        guard request.mediaType == "application/json" else {
            return .text(415, "Content-Type must be application/json")
        }
        let payload: WebhookPayload
        do {
            payload = try WebhookPayload.decode(request.body)
        } catch {
            logger.warning("webhook refused: bad payload", (.error, error.reason))
            return .text(400, "bad payload: \(error.reason)")
        }
        do {
            let id = try pool.with { connection in
                let queue = try self.queue(on: connection)
                return try queue.enqueueOnce(
                    Job(kind: .alert, body: String(decoding: request.body, as: UTF8.self)),
                    deliveryKey: payload.deliveryKey, ttl: Self.dedupSeconds)
            }
            guard let id else {
                metrics.increment(.duplicates)
                logger.info("notification already queued; duplicate dropped", (.status, payload.status.rawValue))
                return .text(200, "duplicate of a queued notification")
            }
            logger.debug("notification queued", (.job, id), (.count, String(payload.alerts.count)))
            return .text(200, "queued \(id)")
        } catch {
            logger.error("cannot store the notification; Alertmanager will retry", (.error, "\(error)"))
            return .text(503, "queue unavailable; retry later")
        }
    }

    // MARK: - Telegram

    private func telegram(_ request: HTTPRequest) -> HTTPResponse {
        guard config.updates == .webhook else { return .text(404, "webhook mode is off") }
        if let secret = config.webhookSecret {
            guard let given = request.headers["x-telegram-bot-api-secret-token"],
                Self.constantTimeEqual(given, secret)
            else { return .text(401, "missing or wrong secret token") }
        }
        guard let update = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let id = (update["update_id"] as? NSNumber)?.int64Value
        else { return .text(400, "not a Telegram update") }
        do {
            _ = try pool.with { connection in
                let queue = try self.queue(on: connection)
                return try queue.enqueueOnce(
                    Job(kind: .update, body: String(decoding: request.body, as: UTF8.self)),
                    deliveryKey: "update:\(id)", ttl: 86_400)
            }
            return .text(200, "ok")
        } catch {
            logger.error("cannot store the update; Telegram will retry", (.error, "\(error)"))
            return .text(503, "queue unavailable; retry later")
        }
    }

    /// A queue on a pooled connection, creating the consumer groups once per process (not per request).
    private func queue(on connection: RedisConnection) throws -> JobQueue {
        let queue = JobQueue(keys: keys, connection: connection)
        if !groupsReady.load(ordering: .acquiring) {
            try queue.ensureGroups()
            groupsReady.store(true, ordering: .releasing)
        }
        return queue
    }

    // MARK: - Health

    /// Counters of this process, and the queue's gauges read from Redis now (left out when it is away).
    private func metricsPage() -> HTTPResponse {
        let gauges = (try? pool.with { try QueueInspector(keys: keys, connection: $0).gauges() }) ?? []
        return HTTPResponse(
            status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"],
            body: Array(metrics.render(gauges: gauges).utf8))
    }

    private func ready() -> HTTPResponse {
        do {
            _ = try pool.with { try $0.command(["PING"]) }
            return .text(200, "ready")
        } catch {
            return .text(503, "redis unreachable")
        }
    }

    /// Compares secrets without leaking through timing where they differ.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = a.count ^ b.count
        for index in 0..<max(a.count, b.count) {
            difference |= Int((index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0))
        }
        return difference == 0
    }
}
