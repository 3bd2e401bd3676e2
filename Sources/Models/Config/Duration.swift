/// Parses and prints the durations operators write: `90s`, `5m`, `1h`, `1.5s`, `250ms`, `1h30m`.
public enum Duration {
    /// Seconds in `text`, or nil when it is not a positive duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var rest = Substring(text.trimmingSpaces())
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return total > 0 ? total : nil
    }

    /// The shortest way to write `seconds`: `5m`, `90s`, `1h30m`, `1.5s`.
    public static func format(_ seconds: Double) -> String {
        if seconds < 60 || seconds.rounded() != seconds {
            let rounded = (seconds * 1000).rounded() / 1000
            return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        let whole = Int(seconds)
        var parts: [String] = []
        if whole >= 3600 { parts.append("\(whole / 3600)h") }
        if whole % 3600 >= 60 { parts.append("\(whole % 3600 / 60)m") }
        if whole % 60 > 0 { parts.append("\(whole % 60)s") }
        return parts.joined()
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}
