import Foundation
import Redis

/// Redis connections shared by the HTTP handler threads; each borrowed connection serves one request.
final class RedisPool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`, and a connection is used by one thread at a time.
    private let lock = NSLock()
    private var idle: [RedisConnection] = []
    private let url: RedisURL

    init(url: RedisURL) {
        self.url = url
    }

    func with<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        lock.lock()
        let connection = idle.popLast() ?? RedisConnection(url: url, timeout: 2)
        lock.unlock()
        defer {
            lock.lock()
            if idle.count < 64 { idle.append(connection) }
            lock.unlock()
        }
        return try body(connection)
    }
}
