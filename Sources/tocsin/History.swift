import Foundation
import Models
import Postgres
import Worker

/// `incidents` and `incident ID`: the history kept in PostgreSQL.
enum History {
    static func list(environment: [String: String], arguments: [String]) {
        var limit = 50
        if let index = arguments.firstIndex(of: "--limit") {
            guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else {
                CLI.misuse("--limit needs a positive number")
            }
            limit = value
        } else if !arguments.isEmpty {
            CLI.misuse("usage: tocsin incidents [--limit N]")
        }
        let config = CLI.config(environment, requireTelegram: false)
        let db = PostgresConnection(conninfo: config.databaseURL)
        do {
            let rows = try db.query(
                "SELECT id, service, status, level, extract(epoch FROM now() - opened_at)::bigint AS age, "
                    + "state->'ladder'->>'service' AS svc FROM incidents ORDER BY status = 'resolved', "
                    + "status = 'acknowledged', opened_at DESC LIMIT $1", [String(limit)])
            var table = TextTable("ID", "SERVICE", "STATE", "LEVEL", "AGE")
            for row in rows.all {
                table.add(
                    row["id"] ?? "", row["service"] ?? "", row["status"] ?? "", row["level"] ?? "",
                    age(row.int("age") ?? 0))
            }
            table.print()
        } catch {
            CLI.fail("incidents: \(error)")
        }
    }

    static func show(environment: [String: String], arguments: [String]) {
        guard arguments.count == 1, let id = Int64(arguments[0]) else { CLI.misuse("usage: tocsin incident ID") }
        let config = CLI.config(environment, requireTelegram: false)
        let db = PostgresConnection(conninfo: config.databaseURL)
        do {
            guard let incident = try IncidentStore(db: db).incident(id: id, lock: false) else {
                CLI.fail("no incident \(id)")
            }
            print(
                "incident \(id) · service \(incident.service) · \(incident.state.status.rawValue) · "
                    + "level \(incident.state.level) · group \(incident.groupKey)")
            for (index, people) in incident.state.ladder.levels.enumerated() {
                print("  level \(index + 1): \(people.isEmpty ? "nobody" : people.map(\.name).joined(separator: ", "))")
            }
            print("timeline:")
            let events = try db.query(
                "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS at, kind, actor, level, detail "
                    + "FROM events WHERE incident_id = $1 ORDER BY id", [String(id)])
            for row in events.all {
                let actor = row["actor"].map { " by \($0)" } ?? ""
                let level = row["level"] ?? "?"
                print("  \(row["at"] ?? "") UTC  L\(level)  \(row["kind"] ?? "")\(actor): \(row["detail"] ?? "")")
            }
            let messages = try IncidentStore(db: db).messages(id)
            for message in messages {
                let posted = message.telegramMessageID.map { "message \($0)" } ?? "not posted yet"
                print(
                    "  card level \(message.level): \(posted), version \(message.sentVersion)/\(message.desiredVersion)"
                )
            }
        } catch {
            CLI.fail("incident: \(error)")
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func age(_ seconds: Int64) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }
}
