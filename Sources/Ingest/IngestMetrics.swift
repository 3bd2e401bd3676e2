import Synchronization

/// The ingest's own counters, exposed on `/metrics`.
final class IngestMetrics: Sendable {
    private let webhooks = Mutex<[String: Int]>([:])
    private let duplicates = Atomic<Int>(0)

    func count(endpoint: String, status: Int) {
        webhooks.withLock { $0["\(endpoint)|\(status)", default: 0] += 1 }
    }

    func countDuplicate() {
        duplicates.add(1, ordering: .relaxed)
    }

    /// Prometheus text exposition.
    func render() -> String {
        var out = "# HELP tocsin_webhooks_received_total Webhook requests by endpoint and answer.\n"
        out += "# TYPE tocsin_webhooks_received_total counter\n"
        for (key, value) in webhooks.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|")
            out += "tocsin_webhooks_received_total{endpoint=\"\(parts[0])\",code=\"\(parts[1])\"} \(value)\n"
        }
        out += "# HELP tocsin_webhook_duplicates_total Notifications dropped as repeats of one already queued.\n"
        out += "# TYPE tocsin_webhook_duplicates_total counter\n"
        out += "tocsin_webhook_duplicates_total \(duplicates.load(ordering: .relaxed))\n"
        return out
    }
}
