import Foundation
import Testing

/// Webhook in, card out: SPEC §6 items 1, 5, 6 through real Redis, PostgreSQL and the simulator over HTTP.
@Suite(.serialized) struct PipelineTests {
    @Test func firingPostsOneCardTaggingTheOwners() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        let started = Date()
        #expect(try pipeline.postAlert(Notifications.make()) == 200)
        #expect(pipeline.wait { pipeline.messages().count == 1 })
        let latency = Date().timeIntervalSince(started)
        #expect(latency < 1, "webhook to card took \(latency) s")
        let card = pipeline.messages()[0]
        let text = Pipeline.text(card)
        #expect(text.contains("HostMemoryHigh"))
        #expect(text.contains("Level 1: @wukong"))
        #expect(Pipeline.buttons(card).map(\.text) == ["✅ Acknowledge", "↪ Forward"])
        let entities = card["entities"] as? [[String: Any]] ?? []
        #expect(entities.contains { $0["type"] as? String == "mention" })
    }

    @Test func repeatedDeliveriesGiveOneCard() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        for _ in 0..<3 { #expect(try pipeline.postAlert(Notifications.make()) == 200) }
        pipeline.wait(1.5) { false }
        #expect(pipeline.messages().count == 1)
    }

    @Test func oneNotificationForTwoServicesPagesEachOwner() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        let body = Notifications.make(alerts: [("payments", "f1", "firing"), ("mystery", "f2", "firing")])
        #expect(try pipeline.postAlert(body) == 200)
        #expect(pipeline.wait { pipeline.messages().count == 2 })
        let texts = pipeline.messages().map(Pipeline.text)
        #expect(texts.contains { $0.contains("Level 1: @wukong") && $0.contains("payments") })
        #expect(texts.contains { $0.contains("Level 1: Tang Sanzang") && $0.contains("Service: default") })
    }

    @Test func resolvedClearsTheButtonsAndARepeatEditsInsteadOfPosting() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        try pipeline.postAlert(Notifications.make())
        #expect(pipeline.wait { pipeline.messages().count == 1 })
        try pipeline.postAlert(
            Notifications.make(alerts: [("payments", "f1", "firing"), ("payments", "f9", "firing")]))
        #expect(pipeline.wait { Pipeline.text(pipeline.messages()[0]).contains("Firing (2)") })
        #expect(pipeline.messages().count == 1)

        try pipeline.postAlert(
            Notifications.make(
                status: "resolved", alerts: [("payments", "f1", "resolved"), ("payments", "f9", "resolved")]))
        #expect(pipeline.wait { Pipeline.buttons(pipeline.messages()[0]).isEmpty })
        #expect(Pipeline.text(pipeline.messages()[0]).contains("Resolved at"))

        // Firing again after the resolution is a new incident with a new card.
        try pipeline.postAlert(Notifications.make(summary: "back again", startsAt: "2026-12-03T15:00:00Z"))
        #expect(pipeline.wait { pipeline.messages().count == 2 })
    }

    @Test func badRequestsGetClearAnswersAndLeaveNoJob() throws {
        let pipeline = try Pipeline(timeout: "1h", webhookToken: "bearer-secret-42")
        defer { pipeline.shutdown() }
        let good = Notifications.make()
        #expect(try pipeline.postAlert(good) == 401)
        #expect(try pipeline.postAlert(good, token: "wrong") == 401)
        #expect(try pipeline.postAlert(good, contentType: "text/plain", token: "bearer-secret-42") == 415)
        #expect(try pipeline.postAlert("{not json", token: "bearer-secret-42") == 400)
        #expect(try pipeline.postAlert("{\"version\":\"4\",\"groupKey\":1}", token: "bearer-secret-42") == 400)
        let huge = "{\"pad\":\"" + String(repeating: "x", count: 2 << 20) + "\"}"
        #expect(try pipeline.postAlert(huge, token: "bearer-secret-42") == 413)
        let redis = TestServices.redis()
        #expect(try redis.command(["XLEN", "{\(pipeline.config.keyPrefix)}:jobs:urgent"]).int ?? 0 == 0)

        #expect(try pipeline.postAlert(good, token: "bearer-secret-42") == 200)
        #expect(pipeline.wait { pipeline.messages().count == 1 })
        let logs = pipeline.logs.captured.joined(separator: "\n")
        #expect(!logs.contains("bearer-secret-42"))
        #expect(!logs.contains(Pipeline.token))
    }

    @Test func aSupergroupUpgradeIsFollowed() throws {
        let pipeline = try Pipeline(timeout: "1h", migratedGroup: true)
        defer { pipeline.shutdown() }
        #expect(try pipeline.postAlert(Notifications.make()) == 200)
        #expect(pipeline.wait { pipeline.messages(chat: Pipeline.supergroupID).count == 1 })
        #expect(pipeline.logs.captured.contains { $0.contains("UPGRADED TO A SUPERGROUP") })
        try pipeline.postAlert(Notifications.make(group: "second"))
        #expect(pipeline.wait { pipeline.messages(chat: Pipeline.supergroupID).count == 2 })
    }

    @Test func unknownJobKindsGoToTheDeadSet() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        let redis = TestServices.redis()
        let prefix = pipeline.config.keyPrefix
        try redis.command(["XADD", "{\(prefix)}:jobs:urgent", "*", "kind", "teleport", "body", "{}", "attempts", "0"])
        #expect(pipeline.wait { (try? redis.command(["HLEN", "{\(prefix)}:dead"]).int) == 1 })
        let record = try redis.command(["HVALS", "{\(prefix)}:dead"]).array?.first?.text ?? ""
        #expect(record.contains("unknown job kind 'teleport'"))
        // The worker carries on.
        try pipeline.postAlert(Notifications.make())
        #expect(pipeline.wait { pipeline.messages().count == 1 })
    }

    @Test func healthAndReadiness() throws {
        let pipeline = try Pipeline(timeout: "1h")
        defer { pipeline.shutdown() }
        #expect(try pipeline.get("/healthz").0 == 200)
        #expect(try pipeline.get("/readyz").0 == 200)
        let metrics = try pipeline.get("/metrics")
        #expect(metrics.0 == 200)
        #expect(metrics.1.contains("# TYPE tocsin_webhooks_received_total counter"))
        #expect(try pipeline.get("/nope").0 == 404)
    }
}
