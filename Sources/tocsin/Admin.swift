import Foundation
import Models
import Postgres
import Worker

/// `migrate` and `directory`.
enum Admin {
    static func migrate(environment: [String: String], arguments: [String]) {
        guard arguments.isEmpty else { CLI.misuse("migrate takes no arguments") }
        let config = CLI.config(environment, requireTelegram: false)
        let db = PostgresConnection(conninfo: config.databaseURL)
        do {
            let applied = try Migrations.run(on: db)
            print(
                applied.isEmpty
                    ? "schema is up to date (version \(Migrations.latest))"
                    : "applied migration(s) \(applied.map(String.init).joined(separator: ", "))")
        } catch {
            CLI.fail("migrate: \(error)")
        }
    }

    static func directory(environment: [String: String], arguments: [String]) {
        let config = CLI.config(environment, requireTelegram: false)
        let db = PostgresConnection(conninfo: config.databaseURL)
        switch arguments.first {
        case "import":
            guard arguments.count == 2 else { CLI.misuse("usage: tocsin directory import FILE") }
            let path = arguments[1]
            guard let data = FileManager.default.contents(atPath: path) else { CLI.fail("cannot read \(path)") }
            let directory: Directory
            do {
                directory = try DirectoryFile.parse(String(decoding: data, as: UTF8.self))
            } catch {
                CLI.fail("\(path): \(error); the directory was not changed")
            }
            do {
                try DirectoryStore(db: db).replace(with: directory)
            } catch {
                CLI.fail("directory import: \(error)")
            }
            print("imported \(directory.people.count) people and \(directory.services.count) services from \(path)")
        case "show":
            guard arguments.count == 1 else { CLI.misuse("usage: tocsin directory show") }
            do {
                print(show(try DirectoryStore(db: db).load()), terminator: "")
            } catch {
                CLI.fail("directory show: \(error)")
            }
        default:
            CLI.misuse("usage: tocsin directory import FILE | tocsin directory show")
        }
    }

    /// The directory in the same YAML shape it is imported from.
    static func show(_ directory: Directory) -> String {
        func quote(_ text: String) -> String {
            text.allSatisfy({ $0.isLetter || $0.isNumber || "._- ".contains($0) }) && !text.isEmpty
                ? text : "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func levels(_ entry: ServiceEntry, indent: String) -> String {
            var out = ""
            if let timeout = entry.escalationTimeout {
                out += "\(indent)escalation_timeout: \(Duration.format(timeout))\n"
            }
            for (index, key) in Directory.levelKeys.enumerated() {
                if let handles = entry.levels[index + 1] {
                    out += "\(indent)\(key): [\(handles.joined(separator: ", "))]\n"
                }
            }
            return out
        }
        var out = "defaults:\n" + levels(directory.defaults, indent: "  ") + "people:\n"
        for person in directory.people.values.sorted(by: { $0.handle < $1.handle }) {
            var fields = "name: \(quote(person.name)), telegram_id: \(person.telegramID)"
            if let username = person.username { fields += ", username: \(username)" }
            out += "  \(person.handle): {\(fields)}\n"
        }
        out += "services:\n"
        for entry in directory.services.values.sorted(by: { $0.name < $1.name }) {
            out += "  \(quote(entry.name)):\n" + levels(entry, indent: "    ")
        }
        return out
    }
}
