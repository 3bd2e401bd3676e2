/// A rate written `N/duration`: `20/1m` is twenty messages a minute.
public struct Rate: Sendable, Equatable, CustomStringConvertible {
    public var count: Int
    public var period: Double

    public init(count: Int, period: Double) {
        self.count = count
        self.period = period
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0].trimmingSpaces()), count > 0,
            let period = Duration.seconds(String(parts[1]))
        else { return nil }
        self.init(count: count, period: period)
    }

    /// Seconds between two sends at this rate.
    public var interval: Double { period / Double(count) }

    public var description: String { "\(count)/\(Duration.format(period))" }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}
