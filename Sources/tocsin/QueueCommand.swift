import Foundation
import Models
import Queue
import Redis

/// `tocsin queue`: reads the queue without taking anything away from the workers.
enum QueueCommand {
    static func run(environment: [String: String], arguments: [String]) {
        let config = CLI.config(environment, requireTelegram: false)
        let keys = QueueKeys(prefix: config.keyPrefix)
        let redis = RedisConnection(url: RedisURL(config.redisURL) ?? RedisURL())
        let json = arguments.contains("--json")
        let words = arguments.filter { $0 != "--json" }
        do {
            switch words.first {
            case "stats" where words.count == 1: try stats(redis, keys, json: json)
            case "list" where words.count == 2: try list(redis, keys, kind: words[1], json: json)
            case "retry" where words.count == 2: try retry(redis, keys, id: words[1])
            case "drop" where words.count == 2: try drop(redis, keys, id: words[1])
            default: CLI.misuse(CLI.help(for: "queue")!)
            }
        } catch let error as RedisError {
            CLI.fail("queue: \(error)")
        } catch {
            CLI.fail("queue: \(error)")
        }
    }

    private static func stats(_ redis: RedisConnection, _ keys: QueueKeys, json: Bool) throws {
        let now = try redis.serverTimeMillis()
        var figures: [(String, String)] = []
        for (name, stream) in [("urgent", keys.urgent), ("edit", keys.edits)] {
            figures.append(("ready_\(name)", String(try readyCount(redis, stream))))
            let pending = try redis.command(["XPENDING", stream, QueueKeys.group]).array?.first?.int ?? 0
            figures.append(("in_flight_\(name)", String(pending)))
        }
        figures.append(("delayed", String(try redis.command(["ZCARD", keys.delayed]).int ?? 0)))
        if let head = try redis.command(["ZRANGE", keys.delayed, "0", "0", "WITHSCORES"]).array, head.count == 2,
           let due = head[1].text.flatMap(Double.init) {
            figures.append(("next_due_in_seconds", String(format: "%.1f", (due - Double(now)) / 1000)))
        }
        figures.append(("dead", String(try redis.command(["HLEN", keys.dead]).int ?? 0)))
        if json {
            print("{" + figures.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        } else {
            for (name, value) in figures { print(History.pad(name, 22) + value) }
        }
    }

    /// Entries of a stream not yet delivered to any worker.
    private static func readyCount(_ redis: RedisConnection, _ stream: String) throws -> Int {
        guard let groups = try? redis.command(["XINFO", "GROUPS", stream]).array else { return 0 }
        for group in groups {
            guard let fields = group.array else { continue }
            var values: [String: RedisReply] = [:]
            var index = 0
            while index + 1 < fields.count {
                if let key = fields[index].text { values[key] = fields[index + 1] }
                index += 2
            }
            if values["name"]?.text == QueueKeys.group, let lag = values["lag"]?.int { return Int(lag) }
        }
        return 0
    }

    private static func list(_ redis: RedisConnection, _ keys: QueueKeys, kind: String, json: Bool) throws {
        switch kind {
        case "dead":
            let all = try redis.command(["HGETALL", keys.dead]).array ?? []
            var index = 0
            while index + 1 < all.count {
                print("\(all[index].text ?? "")  \(all[index + 1].text ?? "")")
                index += 2
            }
        case "delayed":
            let now = try redis.serverTimeMillis()
            let all = try redis.command(["ZRANGE", keys.delayed, "0", "199", "WITHSCORES"]).array ?? []
            var index = 0
            while index + 1 < all.count {
                let due = all[index + 1].text.flatMap(Double.init) ?? 0
                let parts = (all[index].text ?? "").split(separator: "|", maxSplits: 2)
                print(String(format: "in %8.1fs  ", (due - Double(now)) / 1000)
                    + "\(parts.first ?? "")  attempts \(parts.count > 1 ? parts[1] : "0")  \(parts.last ?? "")")
                index += 2
            }
        case "pending":
            for stream in keys.streams {
                let entries = try redis.command(["XPENDING", stream, QueueKeys.group, "-", "+", "200"]).array ?? []
                for entry in entries {
                    guard let fields = entry.array, fields.count == 4 else { continue }
                    print("\(fields[0].text ?? "")  worker \(fields[1].text ?? "")  age \(fields[2].int ?? 0)ms  "
                        + "deliveries \(fields[3].int ?? 0)")
                }
            }
        case "ready":
            for stream in keys.streams {
                let entries = try redis.command(["XRANGE", stream, "-", "+", "COUNT", "200"]).array ?? []
                for entry in entries {
                    guard let parts = entry.array, parts.count == 2, let fields = parts[1].array, fields.count >= 2
                    else { continue }
                    print("\(parts[0].text ?? "")  \(fields[1].text ?? "")")
                }
            }
        default:
            CLI.misuse("queue list takes ready, delayed, pending or dead")
        }
        _ = json
    }

    private static func retry(_ redis: RedisConnection, _ keys: QueueKeys, id: String) throws {
        let ids = id == "--dead" ? (try redis.command(["HKEYS", keys.dead]).array ?? []).compactMap(\.text) : [id]
        let queue = JobQueue(keys: keys, connection: redis)
        var count = 0
        for entry in ids {
            guard let text = try redis.command(["HGET", keys.dead, entry]).text,
                  let record = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let kind = (record["kind"] as? String).flatMap(JobKind.init), let body = record["body"] as? String
            else {
                if id != "--dead" { CLI.fail("no dead job \(entry) (or its kind is unknown)") }
                continue
            }
            try queue.ensureGroups()
            try queue.enqueue(Job(kind: kind, body: body))
            try redis.command(["HDEL", keys.dead, entry])
            count += 1
        }
        print("put \(count) dead job(s) back in the queue")
    }

    private static func drop(_ redis: RedisConnection, _ keys: QueueKeys, id: String) throws {
        guard try redis.command(["HDEL", keys.dead, id]).int == 1 else { CLI.fail("no dead job \(id)") }
        print("dropped dead job \(id)")
    }
}
