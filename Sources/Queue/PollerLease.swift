import Redis

/// The one-poller-at-a-time lease for `getUpdates`, across all workers and hosts.
public struct PollerLease: Sendable {
    public let keys: QueueKeys
    public let holder: String
    public let ttlMillis: Int

    public init(keys: QueueKeys, holder: String, ttlMillis: Int) {
        self.keys = keys
        self.holder = holder
        self.ttlMillis = ttlMillis
    }

    /// Takes the lease when free or renews it when held; false while another worker holds it.
    public func acquire(on connection: RedisConnection) throws -> Bool {
        try connection.evaluate(
            QueueScripts.lease, keys: [keys.pollerLease],
            arguments: [holder, String(ttlMillis)]
        ).text == "held"
    }
}
