import Models
import Postgres

/// Reads and replaces the owner directory in PostgreSQL.
public struct DirectoryStore {
    let db: PostgresConnection

    public init(db: PostgresConnection) {
        self.db = db
    }

    /// Replaces the whole directory in one transaction; readers see the old one or the new one.
    public func replace(with directory: Directory) throws {
        try db.transaction { db in
            try db.query("LOCK TABLE people, services, service_levels IN EXCLUSIVE MODE")
            try db.query("DELETE FROM service_levels")
            try db.query("DELETE FROM services")
            try db.query("DELETE FROM people")
            for person in directory.people.values.sorted(by: { $0.handle < $1.handle }) {
                try db.query(
                    "INSERT INTO people (handle, name, telegram_id, username) VALUES ($1, $2, $3, $4)",
                    [person.handle, person.name, String(person.telegramID), person.username])
            }
            for entry in [directory.defaults] + directory.services.values.sorted(by: { $0.name < $1.name }) {
                let key = entry.name == directory.defaults.name ? "" : entry.name
                try db.query(
                    "INSERT INTO services (name, escalation_timeout_seconds) VALUES ($1, $2)",
                    [key, entry.escalationTimeout.map { String($0) }])
                for (level, handles) in entry.levels {
                    for (position, handle) in handles.enumerated() {
                        try db.query(
                            "INSERT INTO service_levels (service, level, position, handle) "
                                + "VALUES ($1, $2, $3, $4)", [key, String(level), String(position), handle])
                    }
                }
            }
        }
    }

    /// The directory as it stands.
    public func load() throws -> Directory {
        var people: [String: Person] = [:]
        for row in try db.query("SELECT handle, name, telegram_id, username FROM people").all {
            guard let handle = row["handle"] else { continue }
            people[handle] = Person(
                handle: handle, name: row["name"] ?? handle,
                telegramID: row.int("telegram_id") ?? 0, username: row["username"])
        }
        var entries: [String: ServiceEntry] = [:]
        for row in try db.query("SELECT name, escalation_timeout_seconds FROM services").all {
            let name = row["name"] ?? ""
            entries[name] = ServiceEntry(name: name, escalationTimeout: row.double("escalation_timeout_seconds"))
        }
        let levels = try db.query("SELECT service, level, handle FROM service_levels ORDER BY service, level, position")
        for row in levels.all {
            guard let service = row["service"], let level = row.int("level"), let handle = row["handle"] else {
                continue
            }
            entries[service, default: ServiceEntry(name: service)].levels[Int(level), default: []].append(handle)
        }
        let defaults = entries.removeValue(forKey: "") ?? ServiceEntry(name: "")
        return Directory(people: people, services: entries, defaults: defaults)
    }
}
