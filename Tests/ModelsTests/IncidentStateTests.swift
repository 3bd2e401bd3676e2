import Foundation
import Testing

@testable import Models

@Suite struct IncidentStateTests {
    let fresh = IncidentState(ladder: Fixtures.ladder)

    @Test func aNewIncidentPagesTheFirstLevel() {
        #expect(fresh.status == .open)
        #expect(fresh.level == 1)
        #expect(fresh.cards == [CardRecord(level: 1)])
    }

    @Test func acknowledgeStopsTheLadder() {
        let step = fresh.apply(.acknowledge(by: Fixtures.alice, at: 100))
        #expect(step.state.status == .acknowledged)
        #expect(step.state.acknowledgedBy == Fixtures.alice)
        #expect(step.actions == [.editCards, .cancelTimer])
        #expect(step.history?.kind == "acknowledged")
        #expect(step.state.apply(.timerExpired(level: 1, at: 400)).changed == false)
    }

    @Test func forwardPagesTheNextLevelAndMarksTheCard() {
        let step = fresh.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 100))
        #expect(step.state.level == 2)
        #expect(step.actions == [.postCard(level: 2), .editCards])
        #expect(step.state.card(at: 1)?.handoff == .forwarded(by: Fixtures.bob, at: 100, to: 2))
        #expect(step.answer == "Forwarded to level 2.")
    }

    @Test func timerClimbsToTheLastLevelThenStops() {
        var state = fresh
        for (level, next) in [(1, 2), (2, 3)] {
            let step = state.apply(.timerExpired(level: level, at: Double(level) * 300))
            #expect(step.actions == [.postCard(level: next), .editCards])
            #expect(step.history?.actor == "timer")
            state = step.state
        }
        let last = state.apply(.timerExpired(level: 3, at: 900))
        #expect(last.state.exhausted)
        #expect(last.actions == [.editCards])
        #expect(!last.actions.contains { if case .postCard = $0 { return true } else { return false } })
        #expect(last.state.apply(.timerExpired(level: 3, at: 1200)).changed == false)
    }

    @Test func emptyLevelsArePassedOver() {
        let ladder = Ladder(service: "x", levels: [[Fixtures.wukong], [], [Fixtures.sanzang]], timeout: 60)
        let step = IncidentState(ladder: ladder).apply(.timerExpired(level: 1, at: 60))
        #expect(step.state.level == 3)
        #expect(step.actions.first == .postCard(level: 3))
    }

    @Test func resolveClosesFromAnyOpenStateButNotTwice() {
        let acked = fresh.apply(.acknowledge(by: Fixtures.alice, at: 10)).state
        for state in [fresh, acked] {
            let step = state.apply(.resolve(at: 50))
            #expect(step.state.status == .resolved)
            #expect(step.actions == [.editCards, .cancelTimer])
        }
        let resolved = fresh.apply(.resolve(at: 50)).state
        #expect(resolved.apply(.resolve(at: 60)).changed == false)
    }

    @Test func staleClicksChangeNothingAndSayWhy() {
        let acked = fresh.apply(.acknowledge(by: Fixtures.alice, at: 0)).state
        let again = acked.apply(.acknowledge(by: Fixtures.bob, at: 5))
        #expect(!again.changed)
        #expect(again.actions.isEmpty)
        #expect(again.answer == "Already acknowledged by @wukong at 00:00 UTC.")
        #expect(
            acked.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 5)).answer?.hasPrefix("Already acknowledged")
                == true)

        let resolved = fresh.apply(.resolve(at: 0)).state
        #expect(resolved.apply(.acknowledge(by: Fixtures.bob, at: 5)).answer == "Already resolved at 00:00 UTC.")

        let forwarded = fresh.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 0)).state
        let oldCard = forwarded.apply(.forward(by: Fixtures.alice, fromLevel: 1, at: 1))
        #expect(!oldCard.changed)
        #expect(oldCard.answer == "Already passed on to level 2.")
        #expect(forwarded.apply(.timerExpired(level: 1, at: 300)).changed == false)
    }

    @Test func forwardFromTheLastLevelIsRefused() {
        var state = fresh
        state = state.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 0)).state
        state = state.apply(.forward(by: Fixtures.bob, fromLevel: 2, at: 0)).state
        let step = state.apply(.forward(by: Fixtures.bob, fromLevel: 3, at: 0))
        #expect(!step.changed)
        #expect(step.answer?.contains("last level") == true)
    }

    @Test func ackingAnEarlierCardStillWorks() {
        let forwarded = fresh.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 0)).state
        #expect(forwarded.apply(.acknowledge(by: Fixtures.alice, at: 1)).state.status == .acknowledged)
    }

    @Test func ackAndTimerNeverBothWin() {
        // Whichever event is applied first, the second one sees the changed state and does nothing.
        let ackFirst = fresh.apply(.acknowledge(by: Fixtures.alice, at: 300)).state
        #expect(!ackFirst.apply(.timerExpired(level: 1, at: 300)).changed)
        let timerFirst = fresh.apply(.timerExpired(level: 1, at: 300)).state
        let ack = timerFirst.apply(.acknowledge(by: Fixtures.alice, at: 300))
        #expect(ack.changed)
        #expect(ack.state.level == 2)
    }

    @Test func stateSurvivesItsJSONRoundTrip() throws {
        let state = fresh.apply(.forward(by: Fixtures.bob, fromLevel: 1, at: 12.5)).state
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(IncidentState.self, from: data) == state)
    }
}
