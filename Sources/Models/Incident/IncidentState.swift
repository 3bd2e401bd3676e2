/// Where one incident stands: its status, the level paged last, and how each paged level was left.
///
/// This value is the whole of the incident's lifecycle. `IncidentState+Events` applies events to it and
/// says what to do; the worker stores it in PostgreSQL with a version for compare-and-set.
public struct IncidentState: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case open, acknowledged, resolved
    }

    public var status: Status
    /// The level whose card was posted last.
    public var level: Int
    public var ladder: Ladder
    /// One record per paged level, in the order they were paged.
    public var cards: [CardRecord]
    public var acknowledgedBy: Actor?
    public var acknowledgedAt: Double?
    public var resolvedAt: Double?
    /// The last level's timer ran out with nobody answering; nothing more is sent.
    public var exhausted: Bool

    /// A new incident, paging the first level (from `startLevel` on) that has somebody in it.
    public init(ladder: Ladder, startLevel: Int = 1) {
        let first =
            ladder.levels.indices.first { $0 + 1 >= startLevel && !ladder.levels[$0].isEmpty }
            .map { $0 + 1 } ?? ladder.firstLevel
        status = .open
        level = first
        self.ladder = ladder
        cards = [CardRecord(level: first)]
        exhausted = false
    }

    public func card(at level: Int) -> CardRecord? { cards.first { $0.level == level } }

    public var isOpen: Bool { status == .open }
}

/// One posted card and how its level was handed on, if it was.
public struct CardRecord: Sendable, Equatable, Codable {
    public var level: Int
    public var handoff: Handoff?

    public init(level: Int, handoff: Handoff? = nil) {
        self.level = level
        self.handoff = handoff
    }
}

/// How a level was left for the next one.
public enum Handoff: Sendable, Equatable, Codable {
    /// Somebody clicked Forward.
    case forwarded(by: Actor, at: Double, to: Int)
    /// The level's timer ran out.
    case timedOut(after: Double, at: Double, to: Int)

    public var nextLevel: Int {
        switch self {
        case .forwarded(_, _, let level), .timedOut(_, _, let level): level
        }
    }
}

/// Somebody who clicked a button.
public struct Actor: Sendable, Equatable, Codable {
    public var telegramID: Int64
    public var username: String?
    public var firstName: String

    public init(telegramID: Int64, username: String? = nil, firstName: String) {
        self.telegramID = telegramID
        self.username = username
        self.firstName = firstName
    }

    /// The name a card shows, without `@`: a posted card must not notify anyone it does not page.
    public var plainName: String { username ?? firstName }

    /// The name in a click's answer, where a mention notifies nobody.
    public var handleName: String { username.map { "@\($0)" } ?? firstName }
}
