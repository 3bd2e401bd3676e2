import Foundation
import HTTPServer
import Logging
import Metrics
import Models
import Postgres
import Queue
import Redis

/// `/metrics` of a worker process (`TOCSIN_METRICS_LISTEN`): this process' counters, the queue's gauges
/// from Redis and the open incidents from PostgreSQL, both read at scrape time.
public final class WorkerMetrics: @unchecked Sendable {
    // @unchecked: the two connections are used only under `lock`, by one scrape at a time.
    private let lock = NSLock()
    private let redis: RedisConnection
    private let db: PostgresConnection
    private let keys: QueueKeys

    public init(config: Config) {
        redis = RedisConnection(url: RedisURL(config.redisURL) ?? RedisURL(), timeout: 2)
        db = PostgresConnection(conninfo: config.databaseURL)
        keys = QueueKeys(prefix: config.keyPrefix)
    }

    /// Serves `/metrics` on `address` until the returned server is stopped.
    public func serve(on address: String, logger: Logger) throws -> HTTPServer {
        let server = try HTTPServer(address: address) { [self] request in
            guard request.path == "/metrics" else { return .text(404, "not found") }
            return HTTPResponse(
                status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"],
                body: Array(render().utf8))
        }
        logger.info("serving worker metrics", (.address, address))
        return server
    }

    public func render() -> String {
        lock.lock()
        defer { lock.unlock() }
        var gauges = (try? QueueInspector(keys: keys, connection: redis).gauges()) ?? []
        let rows = try? db.query(
            "SELECT status, level, count(*) AS n FROM incidents WHERE status <> 'resolved' "
                + "GROUP BY status, level")
        for row in rows?.all ?? [] {
            gauges.append(
                (
                    .openIncidents, ["state": row["status"] ?? "?", "level": row["level"] ?? "?"],
                    row.double("n") ?? 0
                ))
        }
        return MetricsRegistry.shared.render(gauges: gauges)
    }
}
