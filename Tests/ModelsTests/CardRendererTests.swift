import Foundation
import TelegramSimulator
import Testing

@testable import Models

@Suite struct CardRendererTests {
    func context(
        _ state: IncidentState? = nil, level: Int = 1, alerts: [Alert] = [Fixtures.alert()],
        annotations: [String: String] = ["summary": "Memory above 80 %"]
    ) -> CardContext {
        CardContext(
            incidentID: 42, state: state ?? IncidentState(ladder: Fixtures.ladder), cardLevel: level,
            alerts: alerts, commonLabels: ["alertname": "HostMemoryHigh", "severity": "critical"],
            commonAnnotations: annotations, alertmanagerURL: "http://127.0.0.1:9093",
            escalatesAt: 1_800_000_300)
    }

    /// Telegram's own rules, as the simulator applies them: the card must parse and fit.
    func expectTelegramAccepts(_ card: Card) {
        switch HTMLEntityParser.parse(card.html) {
        case .success(let parsed):
            #expect(parsed.text.unicodeScalars.count <= 4096)
            #expect(parsed.text.utf16.count <= 4096)
        case .failure(let error):
            Issue.record("Telegram would refuse the card: \(error)")
        }
        for button in card.buttons.joined() { #expect((1...64).contains(button.callbackData.utf8.count)) }
    }

    @Test func firingCardTagsLevelOneAndCarriesBothButtons() {
        let card = CardRenderer.render(context())
        #expect(card.html.contains("<b>CRITICAL</b>"))
        #expect(card.html.contains("HostMemoryHigh"))
        #expect(card.html.contains("<code>payments</code>"))
        #expect(card.html.contains("Level 1: @wukong"))
        #expect(card.html.contains("since 14:01 UTC"))
        #expect(card.html.contains("href=\"http://127.0.0.1:9093\""))
        #expect(card.buttons.first?.map(\.callbackData) == ["a:42:1", "f:42:1"])
        expectTelegramAccepts(card)
    }

    @Test func eachAlertLineShowsInstanceValueAndSince() {
        var alert = Fixtures.alert()
        alert.annotations["value"] = "93% <active> & rising"
        let card = CardRenderer.render(context(alerts: [alert]))
        let line = "node-01.example.com:9100</code> — 93% &lt;active&gt; &amp; rising — since 14:01 UTC"
        #expect(card.html.contains(line))
        expectTelegramAccepts(card)
    }

    @Test func anAlertLineRepeatsItsSummaryOnlyWhenItDiffers() {
        var other = Fixtures.alert(instance: "node-02:9100", summary: "Swap is full too", fingerprint: "b2")
        other.annotations["value"] = nil
        // No common summary: the first alert's summary heads the card and is not printed again on its line.
        let card = CardRenderer.render(context(alerts: [Fixtures.alert(), other], annotations: [:]))
        #expect(card.html.components(separatedBy: "Memory above 80 %").count == 2)
        #expect(card.html.contains("node-02:9100</code> — since 14:01 UTC — Swap is full too"))
        expectTelegramAccepts(card)
    }

    @Test func countdownNamesTheNextLevelWithoutMentioningThem() {
        let card = CardRenderer.render(context())
        #expect(card.html.contains("→ level 2, Zhu Bajie, at"))
        #expect(!card.html.contains("@bajie"))
    }

    @Test func personWithoutUsernameIsTaggedByLink() {
        let state = IncidentState(ladder: Ladder(service: "default", levels: [[Fixtures.sanzang]], timeout: 60))
        let card = CardRenderer.render(context(state))
        #expect(card.html.contains("<a href=\"tg://user?id=100003\">Tang Sanzang</a>"))
        expectTelegramAccepts(card)
    }

    @Test(arguments: [
        "<script>alert(1)</script>", "1 < 2 && 3 > 2", "<<", "&amp; &lt;", "\"quoted\" 'single'",
        "🔥🔥 disk on fire 🧯", "</b></i><a href=x>", "\u{0}\u{1}",
    ])
    func hostileTextIsEscaped(text: String) {
        var alert = Fixtures.alert(summary: text)
        alert.labels["instance"] = text
        let card = CardRenderer.render(context(alerts: [alert], annotations: ["summary": text, "description": text]))
        #expect(!card.html.contains("<script>"))
        expectTelegramAccepts(card)
    }

    @Test func hugeSummariesAreCutAndTheCardFits() {
        let huge = String(repeating: "é<&>", count: 1500)
        let alerts = (0..<300).map { Fixtures.alert(summary: "\(huge) \($0)", fingerprint: "f\($0)") }
        let card = CardRenderer.render(context(alerts: alerts, annotations: ["summary": huge]))
        #expect(card.html.contains("… and "))
        #expect(card.html.contains(" more"))
        expectTelegramAccepts(card)
    }

    @Test func manyAlertsAreCountedInTheTail() {
        let alerts = (0..<500).map { Fixtures.alert(instance: "host-\($0).example.com:9100", fingerprint: "f\($0)") }
        let card = CardRenderer.render(context(alerts: alerts))
        let shown = card.html.components(separatedBy: "• ").count - 1
        #expect(shown < 500)
        #expect(card.html.contains("… and \(500 - shown) more"))
        expectTelegramAccepts(card)
    }

    @Test func forwardedCardLosesForwardAndSaysWho() {
        let forwarded = IncidentState(ladder: Fixtures.ladder).apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 0))
            .state
        let first = CardRenderer.render(context(forwarded, level: 1))
        #expect(first.buttons.first?.map(\.callbackData) == ["a:42:1"])
        #expect(first.html.contains("Forwarded by bajie at 00:00 UTC to level 2: Zhu Bajie"))
        let second = CardRenderer.render(context(forwarded, level: 2))
        #expect(second.html.contains("Level 2: @bajie"))
        #expect(!second.html.contains("@wukong"))
        #expect(second.buttons.first?.map(\.callbackData) == ["a:42:2", "f:42:2"])
    }

    @Test func lastLevelHasNoForward() {
        var state = IncidentState(ladder: Fixtures.ladder)
        state = state.apply(.timerExpired(level: 1, at: 0)).state
        state = state.apply(.timerExpired(level: 2, at: 0)).state
        let card = CardRenderer.render(context(state, level: 3))
        #expect(card.buttons.first?.map(\.text) == ["✅ Acknowledge"])
        #expect(card.html.contains("<a href=\"tg://user?id=100003\">"))
    }

    @Test func acknowledgedAndResolvedCardsHaveNoButtons() {
        let acked = IncidentState(ladder: Fixtures.ladder).apply(.acknowledge(by: Fixtures.alice, at: 3600)).state
        let card = CardRenderer.render(context(acked))
        #expect(card.buttons.isEmpty)
        #expect(card.html.contains("Acknowledged by wukong at 01:00 UTC"))
        #expect(!card.html.contains("→ level"))
        let resolved = acked.apply(.resolve(at: 7200)).state
        let closed = CardRenderer.render(context(resolved, alerts: [Fixtures.alert(status: .resolved)]))
        #expect(closed.buttons.isEmpty)
        #expect(closed.html.contains("Resolved at 02:00 UTC"))
    }

    @Test(arguments: ["a:1:1", "f:9223372036854775807:3"])
    func callbackDataRoundTrips(text: String) {
        #expect(CallbackData(text)?.encoded == text)
    }

    @Test(arguments: [
        "", "a", "a:1", "x:1:1", "a:0:1", "a:-1:1", "a:1:4", "a:01:1", "a:1:1:1",
        String(repeating: "a", count: 65),
    ])
    func forgedCallbackDataIsRefused(text: String) {
        #expect(CallbackData(text) == nil)
    }
}
