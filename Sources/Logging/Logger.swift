import Foundation
import Synchronization

/// A small structured logger: one line per event, logfmt by default (as Prometheus' own tools write) or
/// JSON, to standard error.
///
/// Levels: `debug` per-job flow, `info` lifecycle ("listening on …"), `warning` something degraded but
/// handled (a retry, a 429), `error` a failure that lost or delayed work. Field names come from `LogKey`,
/// so every line in every process uses the same names.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warn"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name || (name == "warning" && $0 == .warning) })
            else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public enum Format: String, Sendable {
        case logfmt, json
    }

    public var component: String
    public var minimumLevel: Level
    public var format: Format
    /// Fields every line of this logger carries (a job id, an incident id).
    public var fields: [(LogKey, String)]
    private let sink: LogSink

    public init(component: String, level: Level = .info, format: Format = .logfmt, sink: LogSink = .standardError) {
        self.component = component
        self.minimumLevel = level
        self.format = format
        self.fields = []
        self.sink = sink
    }

    /// A logger that adds `key=value` to every line.
    public func with(_ key: LogKey, _ value: String) -> Logger {
        var copy = self
        copy.fields.append((key, value))
        return copy
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: (LogKey, String)...) {
        log(.debug, message(), fields)
    }

    public func info(_ message: @autoclosure () -> String, _ fields: (LogKey, String)...) {
        log(.info, message(), fields)
    }

    public func warning(_ message: @autoclosure () -> String, _ fields: (LogKey, String)...) {
        log(.warning, message(), fields)
    }

    public func error(_ message: @autoclosure () -> String, _ fields: (LogKey, String)...) {
        log(.error, message(), fields)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: [(LogKey, String)]) {
        guard level >= minimumLevel else { return }
        let all: [(String, String)] =
            [
                ("ts", Self.timestamp()), ("level", level.name), ("component", component), ("msg", message()),
            ] + (fields + extra).map { ($0.0.rawValue, $0.1) }
        sink.write(format == .json ? Self.json(all) : Self.logfmt(all))
    }

    // MARK: - Encoding

    static func logfmt(_ pairs: [(String, String)]) -> String {
        pairs.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 < " " }
            return needsQuotes ? "\(key)=\(quoted(value))" : "\(key)=\(value)"
        }.joined(separator: " ")
    }

    static func json(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &time)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", time.tm_year + 1900, time.tm_mon + 1,
            time.tm_mday, time.tm_hour, time.tm_min, time.tm_sec, now.tv_nsec / 1_000_000)
    }
}

/// Where log lines go. Writes are whole lines, serialised so lines of two threads never interleave.
public final class LogSink: Sendable {
    private let capturing: Bool
    private let lines = Mutex<[String]>([])

    private init(capturing: Bool) {
        self.capturing = capturing
    }

    public static let standardError = LogSink(capturing: false)

    /// A sink that keeps lines in memory, for tests.
    public static func memory() -> LogSink { LogSink(capturing: true) }

    public var captured: [String] { lines.withLock { $0 } }

    private static let writeLock = Mutex(())

    func write(_ line: String) {
        if capturing {
            lines.withLock { $0.append(line) }
            return
        }
        let bytes = Array((line + "\n").utf8)
        Self.writeLock.withLock { _ in
            bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }
}
