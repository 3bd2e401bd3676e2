/// Who answers for what: people keyed by handle, and for each service the people of each level.
///
/// Level 1 is the service's owners, level 2 the tech managers, level 3 the SRE. `defaults` fills the levels
/// a service leaves out; alerts of an unknown service go to the service named `default`.
public struct Directory: Sendable, Equatable {
    public static let levelCount = 3
    public static let levelKeys = ["owners", "tech_managers", "sre"]
    public static let defaultService = "default"

    public var people: [String: Person]
    public var services: [String: ServiceEntry]
    public var defaults: ServiceEntry

    public init(people: [String: Person], services: [String: ServiceEntry], defaults: ServiceEntry) {
        self.people = people
        self.services = services
        self.defaults = defaults
    }

    /// The directory entry an alert's service (or server) name maps to: the name itself, the name without
    /// a `:port` suffix (an `instance` label), or `default`.
    public func serviceName(for name: String) -> String {
        if services[name] != nil { return name }
        if let colon = name.lastIndex(of: ":"), services[String(name[..<colon])] != nil {
            return String(name[..<colon])
        }
        return Self.defaultService
    }

    /// The people of each level of `service` (already resolved with `serviceName(for:)`) and its timeout.
    public func ladder(for service: String, fallbackTimeout: Double) -> Ladder {
        let entry = services[service] ?? ServiceEntry(name: service)
        let levels = (1...Self.levelCount).map { level in
            let handles = entry.levels[level] ?? defaults.levels[level] ?? []
            return handles.compactMap { people[$0] }
        }
        let timeout = entry.escalationTimeout ?? defaults.escalationTimeout ?? fallbackTimeout
        return Ladder(service: service, levels: levels, timeout: timeout)
    }
}

/// A person who can be paged.
public struct Person: Sendable, Equatable, Codable {
    public var handle: String
    public var name: String
    public var telegramID: Int64
    public var username: String?

    public init(handle: String, name: String, telegramID: Int64, username: String? = nil) {
        self.handle = handle
        self.name = name
        self.telegramID = telegramID
        self.username = username
    }

    /// How a card names the person: `@username`, or their name.
    public var displayName: String { username.map { "@\($0)" } ?? name }
}

/// A service's (or the defaults') levels, as handles, and its escalation timeout.
public struct ServiceEntry: Sendable, Equatable {
    public var name: String
    /// Level number (1…3) to handles, only for the levels the entry names.
    public var levels: [Int: [String]]
    public var escalationTimeout: Double?

    public init(name: String, levels: [Int: [String]] = [:], escalationTimeout: Double? = nil) {
        self.name = name
        self.levels = levels
        self.escalationTimeout = escalationTimeout
    }
}

/// The resolved escalation ladder of one incident: who is paged at each level, and how long each waits.
public struct Ladder: Sendable, Equatable, Codable {
    public var service: String
    /// `levels[0]` is level 1.
    public var levels: [[Person]]
    public var timeout: Double

    public init(service: String, levels: [[Person]], timeout: Double) {
        self.service = service
        self.levels = levels
        self.timeout = timeout
    }

    public func people(at level: Int) -> [Person] {
        (1...levels.count).contains(level) ? levels[level - 1] : []
    }

    /// The first level after `level` that has somebody in it; levels with nobody are passed over.
    public func nextLevel(after level: Int) -> Int? {
        guard level < levels.count else { return nil }
        return ((level + 1)...levels.count).first { !levels[$0 - 1].isEmpty }
    }

    /// The level a new incident starts at: the first with somebody in it, or 1 when all are empty.
    public var firstLevel: Int { levels.firstIndex { !$0.isEmpty }.map { $0 + 1 } ?? 1 }
}
