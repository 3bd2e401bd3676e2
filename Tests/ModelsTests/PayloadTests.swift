import Foundation
import Testing

@testable import Models

@Suite struct PayloadTests {
    @Test func decodesAFiringNotification() throws {
        let payload = try WebhookPayload.decode(Array(Fixtures.firingJSON.utf8))
        #expect(payload.status == .firing)
        #expect(payload.alerts.count == 1)
        #expect(payload.alerts[0].fingerprint == "5c1b2fa3a7d1c3e4")
        #expect(payload.commonLabels["service"] == "payments")
        #expect(payload.externalURL == "http://alertmanager:9093")
        #expect(ClockText.parse(payload.alerts[0].startsAt) != nil)
        #expect(ClockText.parse(payload.alerts[0].endsAt) == nil)
    }

    @Test func truncatedAlertsAreKept() throws {
        let text = Fixtures.firingJSON.replacingOccurrences(of: "\"truncatedAlerts\":0", with: "\"truncatedAlerts\":7")
        #expect(try WebhookPayload.decode(Array(text.utf8)).truncatedAlerts == 7)
    }

    @Test(arguments: [
        ("{", "body is not valid JSON"),
        ("[]", "wrong type"),
        ("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}", "missing field groupKey"),
        ("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "alerts is empty"),
        ("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"burning\",\"alerts\":[]}", "status has an invalid value"),
        ("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":{}}", "alerts has the wrong type"),
        ("{\"version\":\"3\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[]}", "version 3 is not supported"),
        (
            "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\"}]}",
            "missing field alerts[0].labels"
        ),
        (
            "{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\","
                + "\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1}}]}",
            "wrong type"
        ),
    ])
    func badBodiesSayWhatIsWrong(body: String, expected: String) {
        do {
            _ = try WebhookPayload.decode(Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.reason.contains(expected), "\(error.reason)")
        }
    }

    @Test func deliveryKeyIgnoresTheSenderButNotTheAlerts() throws {
        let first = try WebhookPayload.decode(Array(Fixtures.firingJSON.utf8))
        var second = first
        second.externalURL = "http://alertmanager-2:9093"
        #expect(first.deliveryKey == second.deliveryKey)
        var resolved = first
        resolved.alerts[0].status = .resolved
        #expect(first.deliveryKey != resolved.deliveryKey)
    }

    @Test func routingSplitsByServiceAndFallsBackToDefault() {
        let payload = WebhookPayload(
            groupKey: "g", status: .firing,
            alerts: [
                Fixtures.alert(service: "payments", fingerprint: "1"),
                Fixtures.alert(service: "unknown-thing", fingerprint: "2"),
                Fixtures.alert(service: "payments", fingerprint: "3"),
            ])
        let parts = IncidentRouting.split(payload, labels: ["service", "instance"], directory: Fixtures.directory)
        #expect(parts.map(\.service) == ["payments", "node-01.example.com"])
        #expect(parts[0].alerts.count == 2)
    }

    @Test func resolutionTimeIsTheLatestEndNotTheArrival() {
        let now = ClockText.parse("2026-12-03T14:30:00Z")!
        var early = Fixtures.alert(fingerprint: "1")
        early.status = .resolved
        early.endsAt = "2026-12-03T14:05:00Z"
        var late = early
        late.fingerprint = "2"
        late.endsAt = "2026-12-03T14:07:30.25Z"
        let part = IncidentRouting.Part(service: "payments", alerts: [early, late])
        #expect(part.resolvedAt(now: now) == now - 22 * 60 - 29.75)
        // An end in the future (a skewed clock) or no end at all is printed as the arrival time.
        late.endsAt = "2026-12-03T15:00:00Z"
        #expect(IncidentRouting.Part(service: "payments", alerts: [late]).resolvedAt(now: now) == now)
        early.endsAt = "0001-01-01T00:00:00Z"
        #expect(IncidentRouting.Part(service: "payments", alerts: [early]).resolvedAt(now: now) == now)
    }

    @Test func instanceWithPortFindsItsServer() {
        var alert = Fixtures.alert()
        alert.labels["service"] = nil
        #expect(
            IncidentRouting.service(of: alert, labels: ["service", "instance"], directory: Fixtures.directory)
                == "node-01.example.com")
        alert.labels["instance"] = "other:9100"
        #expect(
            IncidentRouting.service(of: alert, labels: ["service", "instance"], directory: Fixtures.directory)
                == "default")
    }

    @Test func ladderUsesDefaultsForMissingLevelsAndPassesOverEmptyOnes() {
        let ladder = Fixtures.directory.ladder(for: "node-01.example.com", fallbackTimeout: 300)
        #expect(ladder.levels.map { $0.map(\.handle) } == [["wukong"], ["bajie"], ["sanzang"]])
        #expect(ladder.timeout == 120)
        let gap = Ladder(service: "x", levels: [[Fixtures.wukong], [], [Fixtures.sanzang]], timeout: 60)
        #expect(gap.nextLevel(after: 1) == 3)
        #expect(gap.nextLevel(after: 3) == nil)
        #expect(Ladder(service: "x", levels: [[], [Fixtures.bajie], []], timeout: 1).firstLevel == 2)
    }
}
