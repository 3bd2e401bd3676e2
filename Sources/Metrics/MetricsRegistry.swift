import Synchronization

/// Tocsin's own metrics, kept in memory and written in the Prometheus text format.
///
/// One registry per process (`MetricsRegistry.shared`): the ingest, the worker loops and the Telegram
/// client count into it, and `/metrics` renders it with gauges read at scrape time (queue depth, open
/// incidents). Every metric is declared in `MetricNames` with its type and help text.
public final class MetricsRegistry: Sendable {
    public static let shared = MetricsRegistry()

    private let counters = Mutex<[Series: Double]>([:])
    private let histograms = Mutex<[Series: Histogram]>([:])

    public init() {}

    // The series key is built and hashed outside the lock: every request counts, so the lock is held only
    // for the dictionary update (under load a lock held across string building made threads queue on it).

    public func increment(_ metric: Metric, _ labels: [String: String] = [:], by amount: Double = 1) {
        let series = Series(metric.name, labels)
        counters.withLock { $0[series, default: 0] += amount }
    }

    public func observe(_ metric: Metric, _ labels: [String: String] = [:], _ value: Double) {
        let series = Series(metric.name, labels)
        histograms.withLock { $0[series, default: Histogram(buckets: metric.buckets)].add(value) }
    }

    /// The text exposition of every counter and histogram, then `gauges`.
    public func render(gauges: [(Metric, [String: String], Double)] = []) -> String {
        var out = ""
        let counterValues = counters.withLock { $0 }
        let histogramValues = histograms.withLock { $0 }
        for metric in Metric.all {
            let lines: [String]
            switch metric.kind {
            case .counter:
                lines = counterValues.filter { $0.key.name == metric.name }.sorted { $0.key < $1.key }
                    .map { "\(metric.name)\($0.key.labelText) \(Self.number($0.value))" }
            case .histogram:
                lines = histogramValues.filter { $0.key.name == metric.name }.sorted { $0.key < $1.key }
                    .flatMap { $0.value.lines(name: metric.name, labels: $0.key.labels) }
            case .gauge:
                lines = gauges.filter { $0.0.name == metric.name }
                    .map { "\(metric.name)\(Series(metric.name, $0.1).labelText) \(Self.number($0.2))" }
            }
            out += "# HELP \(metric.name) \(metric.help)\n# TYPE \(metric.name) \(metric.kind.rawValue)\n"
            out += lines.map { $0 + "\n" }.joined()
        }
        return out
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// One labelled series of a metric.
struct Series: Hashable, Comparable {
    let name: String
    let labels: [(String, String)]
    /// `{a="1",b="2"}`, or empty: written once, as it is the identity of the series too.
    let labelText: String

    init(_ name: String, _ labels: [String: String]) {
        self.name = name
        self.labels = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        labelText =
            labels.isEmpty
            ? "" : "{" + self.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// The label value escaped for the text format. Most values need nothing, and every request counts
    /// into a series, so those are returned as they are after one scan.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A })
        else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func == (lhs: Series, rhs: Series) -> Bool { lhs.name == rhs.name && lhs.labelText == rhs.labelText }
    func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(labelText)
    }
    static func < (lhs: Series, rhs: Series) -> Bool { lhs.labelText < rhs.labelText }
}

/// Cumulative buckets, a sum and a count.
struct Histogram: Sendable {
    let buckets: [Double]
    var counts: [Int]
    var sum = 0.0
    var count = 0

    init(buckets: [Double]) {
        self.buckets = buckets
        counts = Array(repeating: 0, count: buckets.count)
    }

    mutating func add(_ value: Double) {
        for (index, bound) in buckets.enumerated() where value <= bound { counts[index] += 1 }
        sum += value
        count += 1
    }

    func lines(name: String, labels: [(String, String)]) -> [String] {
        func text(_ extra: [(String, String)]) -> String {
            let all = labels + extra
            return all.isEmpty ? "" : "{" + all.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
        }
        var out = zip(buckets, counts).map { "\(name)_bucket\(text([("le", MetricsRegistry.number($0.0))])) \($0.1)" }
        out.append("\(name)_bucket\(text([("le", "+Inf")])) \(count)")
        out.append("\(name)_sum\(text([])) \(sum)")
        out.append("\(name)_count\(text([])) \(count)")
        return out
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
