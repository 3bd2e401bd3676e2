import Foundation
import Postgres
import Redis
import Worker

/// The real Redis and PostgreSQL the integration tests run against, named by `TOCSIN_TEST_REDIS_URL` and
/// `TOCSIN_TEST_DATABASE_URL` (`.ci/run` and `ops/test` start both and set them). Each test takes a key
/// prefix and a schema of its own, so tests run in parallel and leave each other alone.
enum TestServices {
    static var redisURL: String {
        ProcessInfo.processInfo.environment["TOCSIN_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
    }

    static var databaseURL: String {
        ProcessInfo.processInfo.environment["TOCSIN_TEST_DATABASE_URL"] ?? "postgresql://tocsin@127.0.0.1:5432/tocsin"
    }

    static func uniqueName(_ kind: String) -> String {
        "\(kind)_\(UInt32.random(in: 0...UInt32.max))_\(ProcessInfo.processInfo.processIdentifier)"
    }

    static func redis() -> RedisConnection {
        RedisConnection(url: RedisURL(redisURL)!, timeout: 5)
    }

    /// A fresh schema with Tocsin's tables; returns a connection string whose search path is that schema.
    static func freshSchema() throws -> String {
        let schema = uniqueName("t")
        try PostgresConnection(conninfo: databaseURL).query("CREATE SCHEMA \(schema)")
        let separator = databaseURL.contains("?") ? "&" : "?"
        let url = databaseURL + separator + "options=-csearch_path%3D\(schema)"
        try Migrations.run(on: PostgresConnection(conninfo: url))
        return url
    }
}
