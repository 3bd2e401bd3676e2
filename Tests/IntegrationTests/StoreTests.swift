import Foundation
import Postgres
import Testing
import Worker

@testable import Models

@Suite struct StoreTests {
    static let example = """
        defaults:
          escalation_timeout: 5m
          tech_managers: [bajie]        # level 2
          sre: [sanzang]                # level 3
        people:
          wukong:  {name: Sun Wukong,    telegram_id: 100001, username: wukong}
          bajie:   {name: Zhu Bajie,     telegram_id: 100002, username: bajie}
          sanzang: {name: Tang Sanzang,  telegram_id: 100003}
        services:
          payments:
            owners: [wukong]            # level 1
          node-01.example.com:
            owners: [wukong]
            escalation_timeout: 2m
          default:
            owners: [sanzang]
        """

    @Test func migrationsAreSafeToRunTwice() throws {
        let db = PostgresConnection(conninfo: try TestServices.freshSchema())
        #expect(try Migrations.run(on: db).isEmpty)
        #expect(try db.query("SELECT count(*) AS n FROM schema_migrations").first?.int("n") == Int64(Migrations.latest))
    }

    @Test func theExampleDirectoryRoundTrips() throws {
        let db = PostgresConnection(conninfo: try TestServices.freshSchema())
        let directory = try DirectoryFile.parse(Self.example)
        try DirectoryStore(db: db).replace(with: directory)
        let loaded = try DirectoryStore(db: db).load()
        #expect(loaded.people == directory.people)
        #expect(loaded.services["node-01.example.com"]?.escalationTimeout == 120)
        let ladder = loaded.ladder(for: "payments", fallbackTimeout: 1)
        #expect(ladder.levels.map { $0.map(\.handle) } == [["wukong"], ["bajie"], ["sanzang"]])
        #expect(ladder.timeout == 300)
    }

    @Test(arguments: [
        ("owners: [wukong]            # level 1", "owners: [monkey]", "line 11: unknown handle 'monkey'"),
        ("  default:\n    owners: [sanzang]", "  other:\n    owners: [sanzang]", "no 'default' service"),
        ("owners: [wukong]            # level 1", "owners: [wukong, wukong]", "line 11: handle 'wukong' repeated"),
        (
            "  bajie:   {name: Zhu Bajie,     telegram_id: 100002, username: bajie}",
            "  bajie:   {name: Zhu Bajie,     telegram_id: 100002}\n  bajie: {name: B, telegram_id: 1}",
            "line 8: person 'bajie' is listed twice"
        ),
        ("telegram_id: 100003}", "telegram_id: abc}", "line 8: telegram_id of 'sanzang' is not a number"),
        ("escalation_timeout: 2m", "escalation_timeout: soon", "line 14: escalation_timeout"),
        ("people:", "people: [", "line"),
    ])
    func invalidDirectoriesAreRefusedWithLineAndReason(find: String, replace: String, expected: String) throws {
        let text = Self.example.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.example)
        do {
            _ = try DirectoryFile.parse(text)
            Issue.record("accepted an invalid directory")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}
