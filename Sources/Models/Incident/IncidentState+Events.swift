/// What can happen to an incident.
public enum IncidentEvent: Sendable, Equatable {
    case acknowledge(by: Actor, at: Double)
    /// A Forward click on the card of `fromLevel`.
    case forward(by: Actor, fromLevel: Int, at: Double)
    /// The timer of `level` ran out.
    case timerExpired(level: Int, at: Double)
    case resolve(at: Double)
}

/// What the worker must do after a transition.
public enum IncidentAction: Sendable, Equatable {
    /// Post the card of this level (a reply to the first card), then start its timer.
    case postCard(level: Int)
    /// Bring every posted card of the incident up to date (buttons, status lines).
    case editCards
    /// Drop the pending escalation timer.
    case cancelTimer
}

/// The result of applying an event: the new state, what to do, and what to tell the person who clicked.
public struct Transition: Sendable, Equatable {
    public var state: IncidentState
    public var actions: [IncidentAction]
    /// The answer to a click (`answerCallbackQuery`); nil for timers and resolutions.
    public var answer: String?
    /// What to write in the incident's history; nil when nothing changed.
    public var history: HistoryEntry?

    public var changed: Bool { history != nil }
}

/// One line of an incident's history.
public struct HistoryEntry: Sendable, Equatable {
    public var kind: String
    public var actor: String?
    public var level: Int
    public var detail: String

    public init(kind: String, actor: String? = nil, level: Int, detail: String) {
        self.kind = kind
        self.actor = actor
        self.level = level
        self.detail = detail
    }
}

extension IncidentState {
    /// Applies `event`. A stale event (a click on a closed incident, a timer of a level already left)
    /// returns the state unchanged, no actions, and an answer that says what happened instead.
    public func apply(_ event: IncidentEvent) -> Transition {
        switch event {
        case .acknowledge(let actor, let time): acknowledge(by: actor, at: time)
        case .forward(let actor, let fromLevel, let time): forward(by: actor, from: fromLevel, at: time)
        case .timerExpired(let level, let time): expire(level: level, at: time)
        case .resolve(let time): resolve(at: time)
        }
    }

    private func acknowledge(by actor: Actor, at time: Double) -> Transition {
        guard status == .open else { return unchanged(answer: closedAnswer) }
        var next = self
        next.status = .acknowledged
        next.acknowledgedBy = actor
        next.acknowledgedAt = time
        return Transition(
            state: next, actions: [.editCards, .cancelTimer], answer: "Acknowledged. Escalation stopped.",
            history: HistoryEntry(
                kind: "acknowledged", actor: actor.handleName, level: level,
                detail: "acknowledged at level \(level)"))
    }

    private func forward(by actor: Actor, from fromLevel: Int, at time: Double) -> Transition {
        guard status == .open else { return unchanged(answer: closedAnswer) }
        guard fromLevel == level else {
            return unchanged(
                answer: fromLevel < level
                    ? "Already passed on to level \(level)." : "This card is not part of the ladder.")
        }
        guard let target = ladder.nextLevel(after: level) else {
            return unchanged(answer: "Level \(level) is the last level; there is nobody to forward to.")
        }
        var next = handOff(.forwarded(by: actor, at: time, to: target), to: target)
        next.level = target
        return Transition(
            state: next, actions: [.postCard(level: target), .editCards],
            answer: "Forwarded to level \(target).",
            history: HistoryEntry(
                kind: "forwarded", actor: actor.handleName, level: target,
                detail: "forwarded from level \(fromLevel) to level \(target)"))
    }

    private func expire(level expired: Int, at time: Double) -> Transition {
        guard status == .open, expired == level, !exhausted else { return unchanged(answer: nil) }
        let waited = Duration.format(ladder.timeout)
        guard let target = ladder.nextLevel(after: level) else {
            var next = self
            next.exhausted = true
            return Transition(
                state: next, actions: [.editCards], answer: nil,
                history: HistoryEntry(
                    kind: "exhausted", actor: "timer", level: level,
                    detail: "no answer in \(waited) at the last level"))
        }
        var next = handOff(.timedOut(after: ladder.timeout, at: time, to: target), to: target)
        next.level = target
        return Transition(
            state: next, actions: [.postCard(level: target), .editCards], answer: nil,
            history: HistoryEntry(
                kind: "escalated", actor: "timer", level: target,
                detail: "no answer in \(waited); escalated from level \(expired) to level \(target)"))
    }

    private func resolve(at time: Double) -> Transition {
        guard status != .resolved else { return unchanged(answer: nil) }
        var next = self
        next.status = .resolved
        next.resolvedAt = time
        return Transition(
            state: next, actions: [.editCards, .cancelTimer], answer: nil,
            history: HistoryEntry(kind: "resolved", level: level, detail: "all alerts resolved"))
    }

    // MARK: - Helpers

    private func handOff(_ handoff: Handoff, to target: Int) -> IncidentState {
        var next = self
        if let index = next.cards.firstIndex(where: { $0.level == level }) { next.cards[index].handoff = handoff }
        next.cards.append(CardRecord(level: target))
        return next
    }

    private func unchanged(answer: String?) -> Transition {
        Transition(state: self, actions: [], answer: answer, history: nil)
    }

    /// What a click on a closed incident is told.
    private var closedAnswer: String {
        switch status {
        case .acknowledged:
            let who = acknowledgedBy?.handleName ?? "somebody"
            let when = acknowledgedAt.map { " at \(ClockText.time($0))" } ?? ""
            return "Already acknowledged by \(who)\(when)."
        case .resolved:
            return "Already resolved\(resolvedAt.map { " at \(ClockText.time($0))" } ?? "")."
        case .open:
            return ""
        }
    }
}
