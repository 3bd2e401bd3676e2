import Foundation
import HTTPClient
import Postgres
import Testing

/// The escalation ladder end to end with a 1-second timeout: SPEC §6 items 2, 3, 4, 7, 8.
@Suite(.serialized) struct LadderTests {
    static let wukong: Int64 = 100001
    static let bajie: Int64 = 100002

    func firstCard(_ pipeline: Pipeline, group: String = "{}:{alertname=\"HostMemoryHigh\"}") throws -> [String: Any] {
        #expect(try pipeline.postAlert(Notifications.make(group: group)) == 200)
        #expect(pipeline.wait { !pipeline.messages().isEmpty })
        return pipeline.messages()[0]
    }

    @Test func acknowledgeClearsButtonsAndStopsTheClimb() throws {
        let pipeline = try Pipeline(timeout: "1s")
        defer { pipeline.shutdown() }
        let card = try firstCard(pipeline)
        pipeline.click(card, button: 0, as: Self.bajie)
        #expect(pipeline.wait { Pipeline.buttons(pipeline.messages()[0]).isEmpty })
        #expect(Pipeline.text(pipeline.messages()[0]).contains("Acknowledged by bajie"))
        #expect(pipeline.wait { pipeline.answers().count == 1 })
        #expect(pipeline.answers()[0]["text"] as? String == "Acknowledged. Escalation stopped.")
        pipeline.wait(2.5) { false }
        #expect(pipeline.messages().count == 1)
    }

    @Test func forwardPostsAReplyToTheNextLevel() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        let card = try firstCard(pipeline)
        pipeline.click(card, button: 1, as: Self.wukong)
        #expect(pipeline.wait { pipeline.messages().count == 2 })
        let second = pipeline.messages()[1]
        #expect(second["reply_to_message_id"] as? Int == card["message_id"] as? Int)
        #expect(Pipeline.text(second).contains("Level 2: @bajie"))
        #expect(!Pipeline.text(second).contains("@wukong"))
        #expect(Pipeline.buttons(second).count == 2)
        #expect(pipeline.wait { Pipeline.buttons(pipeline.messages()[0]).map(\.text) == ["✅ Acknowledge"] })
        #expect(Pipeline.text(pipeline.messages()[0]).contains("Forwarded by wukong"))
        #expect(Pipeline.text(pipeline.messages()[0]).contains("to level 2: Zhu Bajie"))
    }

    @Test func timersClimbToLevelThreeThenStop() throws {
        let pipeline = try Pipeline(timeout: "1s")
        defer { pipeline.shutdown() }
        _ = try firstCard(pipeline)
        #expect(pipeline.wait(4) { pipeline.messages().count == 3 })
        let messages = pipeline.messages()
        #expect(Pipeline.text(messages[1]).contains("Level 2: @bajie"))
        #expect(Pipeline.text(messages[2]).contains("Level 3: Tang Sanzang"))
        #expect(Pipeline.buttons(messages[2]).map(\.text) == ["✅ Acknowledge"])
        #expect(pipeline.wait { Pipeline.text(pipeline.messages()[0]).contains("No answer in 1s") })
        pipeline.wait(2.5) { false }
        #expect(pipeline.messages().count == 3)
        #expect(pipeline.wait { Pipeline.text(pipeline.messages()[2]).contains("at the last level") })
        // Level 2 was paged about one timeout after level 1's card was posted.
        let dates = pipeline.messages().compactMap { $0["date"] as? Double }
        #expect(dates.count == 3)
    }

    @Test func resolvedMidLadderStopsTheClimb() throws {
        let pipeline = try Pipeline(timeout: "2s")
        defer { pipeline.shutdown() }
        _ = try firstCard(pipeline)
        #expect(pipeline.wait(5) { pipeline.messages().count == 2 })
        let before = pipeline.messages().count
        try pipeline.postAlert(Notifications.make(status: "resolved", alerts: [("payments", "f1", "resolved")]))
        #expect(pipeline.wait { pipeline.messages().allSatisfy { Pipeline.buttons($0).isEmpty } })
        #expect(pipeline.messages().allSatisfy { Pipeline.text($0).contains("Resolved at") })
        // A timer that had already fired may have paged one more level; after the resolution, nothing more.
        let after = pipeline.messages().count
        #expect(after <= before + 1)
        pipeline.wait(4.5) { false }
        #expect(pipeline.messages().count == after)

        // A click naming the resolved incident (its old Acknowledge, replayed) changes nothing and says why.
        let first = pipeline.messages()[0]
        let answered = pipeline.answers().count
        _ = pipeline.click(messageID: first["message_id"] as! Int, data: "a:1:1", as: Self.wukong)
        #expect(pipeline.wait { pipeline.answers().count == answered + 1 })
        #expect((pipeline.answers().last?["text"] as? String)?.hasPrefix("Already resolved at") == true)
        #expect(Pipeline.text(pipeline.messages()[0]) == Pipeline.text(first))
        #expect(pipeline.messages().count == after)
    }

    @Test func ackOnTheLevelTwoCardAndStaleClicks() throws {
        let pipeline = try Pipeline(timeout: "1s")
        defer { pipeline.shutdown() }
        _ = try firstCard(pipeline)
        #expect(pipeline.wait(3) { pipeline.messages().count == 2 })
        pipeline.click(pipeline.messages()[1], button: 0, as: Self.bajie)
        #expect(pipeline.wait { pipeline.messages().allSatisfy { Pipeline.buttons($0).isEmpty } })
        pipeline.wait(2) { false }
        #expect(pipeline.messages().count == 2)

        // A stale click (the old card's Forward, forged from its data) changes nothing and says why.
        let old = pipeline.click(
            messageID: pipeline.messages()[0]["message_id"] as! Int, data: "f:1:1", as: Self.wukong)
        #expect(old["callback_query_id"] != nil)
        #expect(pipeline.wait { pipeline.answers().count == 2 })
        #expect((pipeline.answers().last?["text"] as? String)?.hasPrefix("Already acknowledged by @bajie at") == true)
        #expect(pipeline.messages().count == 2)
    }

    @Test func forgedAndForeignClicksChangeNothing() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        let card = try firstCard(pipeline)
        let id = card["message_id"] as! Int
        _ = pipeline.click(messageID: id, data: "a:999999:1", as: Self.wukong)
        _ = pipeline.click(messageID: id, data: "hello", as: Self.wukong)
        _ = pipeline.click(messageID: id, data: "a:1:1" + String(repeating: "9", count: 60), as: Self.wukong)
        #expect(pipeline.wait { pipeline.answers().count == 3 })
        let texts = pipeline.answers().compactMap { $0["text"] as? String }
        #expect(texts.contains("This incident is unknown; nothing changed."))
        #expect(texts.filter { $0 == "Unknown button; nothing changed." }.count == 2)
        #expect(Pipeline.buttons(pipeline.messages()[0]).count == 2)
    }

    @Test func webhookModeNeedsTheSecretAndWorks() throws {
        let pipeline = try Pipeline(timeout: "1h", updates: "webhook")
        defer { pipeline.shutdown() }
        let card = try firstCard(pipeline)
        var headers = ["Content-Type: application/json"]
        let update = "{\"update_id\":1,\"callback_query\":{\"id\":\"x\",\"data\":\"a:1:1\"}}"
        let client = HTTPClient()
        #expect(
            try client.send(url: pipeline.ingestURL + "/telegram", headers: headers, body: Array(update.utf8)).status
                == 401)
        headers.append("X-Telegram-Bot-Api-Secret-Token: wrong")
        #expect(
            try client.send(url: pipeline.ingestURL + "/telegram", headers: headers, body: Array(update.utf8)).status
                == 401)

        // A click on a card of another chat, delivered with the right secret, changes nothing.
        let foreign = ["Content-Type: application/json", "X-Telegram-Bot-Api-Secret-Token: hook-secret_1"]
        let other = """
            {"update_id":99,"callback_query":{"id":"q-foreign","from":{"id":100001,"first_name":"W"},
            "message":{"message_id":\(card["message_id"] as! Int),"chat":{"id":-42}},"data":"a:1:1"}}
            """
        #expect(
            try client.send(url: pipeline.ingestURL + "/telegram", headers: foreign, body: Array(other.utf8)).status
                == 200)
        pipeline.wait(1.5) { false }
        #expect(Pipeline.buttons(pipeline.messages()[0]).count == 2)

        pipeline.click(card, button: 0, as: Self.wukong)
        #expect(pipeline.wait { Pipeline.buttons(pipeline.messages()[0]).isEmpty })
    }

    /// An Acknowledge fired around the instant the level-1 timer is due, 200 times: the ack and the timer
    /// never both win (an ack recorded at level 1 and a level-2 page for the same incident).
    @Test func ackAtTheTimersDueInstantNeverBothWin() throws {
        let pipeline = try Pipeline(timeout: "3s", workers: 4)
        defer { pipeline.shutdown() }
        let count = 200
        for index in 0..<count {
            #expect(try pipeline.postAlert(Notifications.make(group: "race-\(index)")) == 200)
        }
        let db = PostgresConnection(conninfo: pipeline.config.databaseURL)
        #expect(
            pipeline.wait(20) {
                (try? db.query("SELECT count(*) AS n FROM messages WHERE telegram_message_id IS NOT NULL"))?
                    .first?.int("n") == Int64(count)
            })
        let cards = Dictionary(
            uniqueKeysWithValues: pipeline.messages().prefix(count).map {
                ($0["message_id"] as? Int ?? 0, $0)
            })

        // Each level-1 timer is due at `escalates_at_ms` (Redis clock, the same host clock here). Click each
        // card from 600 ms before to 50 ms after its due instant (a click waits behind the burst of timer jobs
        // on its way to PostgreSQL), so that some acks land first and some timers do.
        let due = try db.query(
            """
            SELECT m.telegram_message_id AS message, i.escalates_at_ms AS due FROM incidents i
            JOIN messages m ON m.incident_id = i.id AND m.level = 1 ORDER BY i.escalates_at_ms
            """)
        #expect(due.count == count)
        for row in due.all {
            guard let message = row.int("message"), let dueMillis = row.int("due"), let card = cards[Int(message)]
            else { continue }
            let target = Double(dueMillis) / 1000 - Double.random(in: -0.05...0.6)
            let wait = target - Date().timeIntervalSince1970
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            pipeline.click(card, button: 0, as: Self.wukong)
        }
        pipeline.wait(8) { pipeline.answers().count >= count }

        let rows = try db.query(
            """
            SELECT i.id,
                   bool_or(e.kind = 'acknowledged' AND e.level = 1) AS acked_at_one,
                   bool_or(e.kind = 'escalated' AND e.level = 2) AS escalated,
                   count(m.id) FILTER (WHERE m.level = 2) AS level_two_cards
            FROM incidents i JOIN events e ON e.incident_id = i.id LEFT JOIN messages m ON m.incident_id = i.id
            GROUP BY i.id
            """)
        #expect(rows.count == count)
        var ackWon = 0
        var timerWon = 0
        for row in rows.all {
            let acked = row.bool("acked_at_one") == true
            let escalated = row.bool("escalated") == true
            #expect(!(acked && escalated), "incident \(row["id"] ?? "?") was both acknowledged and escalated")
            #expect(!(acked && (row.int("level_two_cards") ?? 0) > 0))
            if acked { ackWon += 1 } else if escalated { timerWon += 1 }
        }
        #expect(ackWon + timerWon == count)
        print("ack/timer race over \(count) incidents: ack first \(ackWon), timer first \(timerWon)")
    }
}
