import Glibc

/// Times as cards print them, in UTC: `14:05 UTC`.
public enum ClockText {
    public static func time(_ epochSeconds: Double) -> String {
        let parts = utc(epochSeconds)
        return pad(parts.tm_hour) + ":" + pad(parts.tm_min) + " UTC"
    }

    /// `2026-12-03 14:05:09 UTC`.
    public static func dateTime(_ epochSeconds: Double) -> String {
        let p = utc(epochSeconds)
        return "\(p.tm_year + 1900)-\(pad(p.tm_mon + 1))-\(pad(p.tm_mday)) \(pad(p.tm_hour)):\(pad(p.tm_min)):"
            + "\(pad(p.tm_sec)) UTC"
    }

    /// Seconds since the epoch of an RFC 3339 time as Alertmanager writes it; nil for the zero time.
    public static func parse(_ text: String) -> Double? {
        let digits = text.utf8.map { $0 }
        guard digits.count >= 19, !text.hasPrefix("0001-") else { return nil }
        func number(_ from: Int, _ length: Int) -> Int32? {
            Int32(String(decoding: digits[from..<(from + length)], as: UTF8.self))
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        var seconds = Double(timegm(&parts))
        var rest = Substring(text.dropFirst(19))
        if rest.first == "." {
            let fraction = rest.prefix { $0 == "." || $0.isNumber }
            seconds += Double("0" + fraction) ?? 0
            rest = rest.dropFirst(fraction.count)
        }
        if let sign = rest.first, sign == "+" || sign == "-", rest.count >= 6,
            let hours = Double(rest.dropFirst().prefix(2)), let minutes = Double(rest.dropFirst(4).prefix(2))
        {
            let offset = hours * 3600 + minutes * 60
            seconds += sign == "+" ? -offset : offset
        }
        return seconds
    }

    private static func utc(_ epochSeconds: Double) -> tm {
        var seconds = time_t(epochSeconds.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
