/// The kinds of work that travel through the queue.
public enum JobKind: String, Sendable, CaseIterable {
    /// An Alertmanager notification, as received.
    case alert
    /// A Telegram update: a button click or a command.
    case update
    /// A level's timer ran out.
    case escalate
    /// Post a card that is recorded but not yet sent.
    case post
    /// Bring a posted card up to date.
    case edit
}

/// A job as it sits in a stream or the delayed set.
public struct Job: Sendable, Equatable {
    public var kind: JobKind
    /// JSON describing the work; its shape depends on the kind.
    public var body: String
    /// Runs that failed before this one.
    public var attempts: Int

    public init(kind: JobKind, body: String, attempts: Int = 0) {
        self.kind = kind
        self.body = body
        self.attempts = attempts
    }

    /// The delayed set's member: equal jobs give equal members, so scheduling one twice keeps one.
    var member: String { "\(kind.rawValue)|\(attempts)|\(body)" }
}

/// A job handed to this worker: where it came from and how often it was delivered.
public struct DeliveredJob: Sendable {
    public var id: String
    public var stream: String
    public var job: Job
    /// An unknown kind read from the stream; such a job is dead-lettered, never run.
    public var unknownKind: String?
}

/// What a finished job leaves behind, written atomically with its acknowledgement.
public struct FollowUps: Sendable, Equatable {
    public var jobs: [Job] = []
    /// Jobs to run at a time of the Redis clock, in milliseconds.
    public var delayed: [(job: Job, dueMillis: Int64)] = []
    /// Delayed jobs to drop (a timer that no longer matters).
    public var cancelled: [Job] = []

    public init() {}

    public static func == (lhs: FollowUps, rhs: FollowUps) -> Bool {
        lhs.jobs == rhs.jobs && lhs.cancelled == rhs.cancelled
            && lhs.delayed.map(\.job) == rhs.delayed.map(\.job)
            && lhs.delayed.map(\.dueMillis) == rhs.delayed.map(\.dueMillis)
    }
}
