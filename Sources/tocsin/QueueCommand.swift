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
        let inspector = QueueInspector(keys: keys, connection: redis)
        let json = arguments.contains("--json")
        let words = arguments.filter { $0 != "--json" }
        do {
            switch words.first {
            case "stats" where words.count == 1: try stats(inspector, json: json)
            case "list" where words.count == 2:
                guard ["ready", "delayed", "pending", "dead"].contains(words[1]) else {
                    CLI.misuse("queue list takes ready, delayed, pending or dead")
                }
                try list(inspector, state: words[1], json: json)
            case "retry" where words.count == 2: try retry(redis, keys, id: words[1], json: json)
            case "drop" where words.count == 2: try drop(redis, keys, id: words[1], json: json)
            default: CLI.misuse(CLI.help(for: "queue")!)
            }
        } catch {
            CLI.fail("queue: \(error)")
        }
    }

    private static func stats(_ inspector: QueueInspector, json: Bool) throws {
        let stats = try inspector.stats()
        var figures: [(String, Any)] = [
            ("ready_urgent", stats.ready["urgent"] ?? 0), ("ready_edit", stats.ready["edit"] ?? 0),
            ("in_flight", stats.pending), ("delayed", stats.delayed), ("dead", stats.dead),
            ("oldest_ready_seconds", (stats.oldestReadySeconds * 10).rounded() / 10),
        ]
        if let next = stats.nextDueSeconds { figures.append(("next_due_in_seconds", (next * 10).rounded() / 10)) }
        if json {
            figures += [
                ("ready_by_kind", stats.readyByKind), ("delayed_by_kind", stats.delayedByKind),
                ("workers_alive", stats.workersAlive.sorted()),
            ]
            printJSON(Dictionary(uniqueKeysWithValues: figures))
            return
        }
        func byKind(_ counts: [String: Int]) -> String {
            counts.isEmpty
                ? "-" : counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        figures += [("ready_by_kind", byKind(stats.readyByKind)), ("delayed_by_kind", byKind(stats.delayedByKind))]
        let alive = stats.workersAlive.sorted()
        figures.append(
            ("workers_alive", "\(alive.count)" + (alive.isEmpty ? "" : " (\(alive.joined(separator: " ")))")))
        for (name, value) in figures { print(History.pad(name, 22) + "\(value)") }
        if stats.pending > 0 {
            print("\nin flight:")
            var table = TextTable("ID", "KIND", "SUBJECT", "WORKER", "STATE")
            for entry in try inspector.list("pending", limit: 20) {
                table.add(entry.id, entry.kind, entry.subject, entry.worker ?? "?", entry.detail)
            }
            for line in table.lines { print("  " + line) }
        }
    }

    private static func list(_ inspector: QueueInspector, state: String, json: Bool) throws {
        let entries = try inspector.list(state)
        if json {
            printJSON(
                entries.map { entry -> [String: Any] in
                    var object: [String: Any] = [
                        "id": entry.id, "kind": entry.kind, "body": entry.body,
                        "attempts": entry.attempts, "detail": entry.detail, "subject": entry.subject,
                    ]
                    if let worker = entry.worker { object["worker"] = worker }
                    return object
                })
            return
        }
        var table = TextTable("ID", "KIND", "SUBJECT", "ATTEMPTS", state == "dead" ? "LAST ERROR" : "STATE", "JOB")
        for entry in entries {
            // A delayed job's id is its whole member, body included; the body column shows it already.
            let id = state == "delayed" ? "-" : entry.id
            let detail = entry.detail + (entry.worker.map { ", worker \($0)" } ?? "")
            table.add(id, entry.kind, entry.subject, String(entry.attempts), detail, String(entry.body.prefix(80)))
        }
        table.print()
    }

    private static func retry(_ redis: RedisConnection, _ keys: QueueKeys, id: String, json: Bool) throws {
        let ids = id == "--dead" ? (try redis.command(["HKEYS", keys.dead]).array ?? []).compactMap(\.text) : [id]
        let queue = JobQueue(keys: keys, connection: redis)
        try queue.ensureGroups()
        var count = 0
        for entry in ids {
            guard let text = try redis.command(["HGET", keys.dead, entry]).text else {
                CLI.fail("no dead job \(entry)")
            }
            let record = DeadRecord(text)
            guard let kind = JobKind(rawValue: record.kind) else {
                if id != "--dead" { CLI.fail("dead job \(entry) has the unknown kind '\(record.kind)'; drop it") }
                continue
            }
            try queue.enqueue(Job(kind: kind, body: record.body))
            try redis.command(["HDEL", keys.dead, entry])
            count += 1
        }
        if json { printJSON(["retried": count]) } else { print("put \(count) dead job(s) back in the queue") }
    }

    private static func drop(_ redis: RedisConnection, _ keys: QueueKeys, id: String, json: Bool) throws {
        guard try redis.command(["HDEL", keys.dead, id]).int == 1 else { CLI.fail("no dead job \(id)") }
        if json { printJSON(["dropped": id]) } else { print("dropped dead job \(id)") }
    }

    private static func printJSON(_ value: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }
}
