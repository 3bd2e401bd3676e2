import Models
import YAML

/// Reads the directory's YAML (SPEC §5) into a `Directory`, refusing it with the line and the reason when
/// a handle is unknown or repeated, a field has the wrong shape, or the `default` service is missing.
public enum DirectoryFile {
    public static func parse(_ text: String) throws(DirectoryError) -> Directory {
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(text)
        } catch let error as YAMLError {
            throw DirectoryError(line: error.line, reason: error.message)
        } catch {
            throw DirectoryError(line: 0, reason: "\(error)")
        }
        let top = try mapping(root, "the document")
        try refuseUnknown(top, allowed: ["defaults", "people", "services"])

        var people: [String: Person] = [:]
        for pair in try mapping(required(root, "people"), "people") {
            guard people[pair.key] == nil else {
                throw DirectoryError(line: pair.keyLine, reason: "person '\(pair.key)' is listed twice")
            }
            people[pair.key] = try person(pair)
        }

        let defaults = try entry(name: "", node: root["defaults"], people: people, allowOwners: true)
        var services: [String: ServiceEntry] = [:]
        for pair in try mapping(required(root, "services"), "services") {
            guard services[pair.key] == nil else {
                throw DirectoryError(line: pair.keyLine, reason: "service '\(pair.key)' is listed twice")
            }
            services[pair.key] = try entry(name: pair.key, node: pair.value, people: people, allowOwners: true)
        }
        guard services[Directory.defaultService] != nil else {
            throw DirectoryError(line: root.line, reason: "there is no 'default' service for unknown services")
        }
        return Directory(people: people, services: services, defaults: defaults)
    }

    // MARK: - Parts

    private static func person(_ pair: YAMLPair) throws(DirectoryError) -> Person {
        let fields = try mapping(pair.value, "person '\(pair.key)'")
        try refuseUnknown(fields, allowed: ["name", "telegram_id", "username"])
        guard let idNode = pair.value["telegram_id"] else {
            throw DirectoryError(line: pair.value.line, reason: "person '\(pair.key)' has no telegram_id")
        }
        guard let id = idNode.scalar.flatMap({ Int64($0) }) else {
            throw DirectoryError(line: idNode.line, reason: "telegram_id of '\(pair.key)' is not a number")
        }
        let username = pair.value["username"]?.scalar.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
        if let username, username.isEmpty || username.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw DirectoryError(line: pair.value["username"]!.line, reason: "username of '\(pair.key)' is not valid")
        }
        return Person(
            handle: pair.key, name: pair.value["name"]?.scalar ?? pair.key, telegramID: id,
            username: username)
    }

    private static func entry(
        name: String, node: YAMLNode?, people: [String: Person],
        allowOwners: Bool
    ) throws(DirectoryError) -> ServiceEntry {
        var entry = ServiceEntry(name: name)
        guard let node else { return entry }
        if case .scalar(let text, _) = node, text.isEmpty { return entry }
        let label = name.isEmpty ? "defaults" : "service '\(name)'"
        let fields = try mapping(node, label)
        try refuseUnknown(fields, allowed: Directory.levelKeys + ["escalation_timeout"])
        for (index, key) in Directory.levelKeys.enumerated() {
            guard let list = node[key] else { continue }
            var handles: [String] = []
            let items: [YAMLNode]
            switch list {
            case .sequence(let values, _): items = values
            case .scalar(let value, _) where !value.isEmpty: items = [list]
            case .scalar: items = []
            case .mapping: throw DirectoryError(line: list.line, reason: "\(key) of \(label) must be a list of handles")
            }
            for item in items {
                guard let handle = item.scalar else {
                    throw DirectoryError(line: item.line, reason: "\(key) of \(label) must be a list of handles")
                }
                guard people[handle] != nil else {
                    throw DirectoryError(line: item.line, reason: "unknown handle '\(handle)' in \(key) of \(label)")
                }
                guard !handles.contains(handle) else {
                    throw DirectoryError(line: item.line, reason: "handle '\(handle)' repeated in \(key) of \(label)")
                }
                handles.append(handle)
            }
            entry.levels[index + 1] = handles
        }
        if let timeoutNode = node["escalation_timeout"] {
            guard let text = timeoutNode.scalar, let seconds = Duration.seconds(text) else {
                throw DirectoryError(line: timeoutNode.line, reason: "escalation_timeout of \(label) is not a duration")
            }
            entry.escalationTimeout = seconds
        }
        return entry
    }

    // MARK: - Shapes

    private static func mapping(_ node: YAMLNode, _ what: String) throws(DirectoryError) -> [YAMLPair] {
        guard case .mapping(let pairs, _) = node else {
            throw DirectoryError(line: node.line, reason: "\(what) must be a mapping")
        }
        return pairs
    }

    private static func required(_ node: YAMLNode, _ key: String) throws(DirectoryError) -> YAMLNode {
        guard let value = node[key] else { throw DirectoryError(line: node.line, reason: "'\(key)' is missing") }
        return value
    }

    private static func refuseUnknown(_ pairs: [YAMLPair], allowed: [String]) throws(DirectoryError) {
        var seen: Set<String> = []
        for pair in pairs {
            guard allowed.contains(pair.key) else {
                throw DirectoryError(line: pair.keyLine, reason: "unknown field '\(pair.key)'")
            }
            guard seen.insert(pair.key).inserted else {
                throw DirectoryError(line: pair.keyLine, reason: "field '\(pair.key)' is repeated")
            }
        }
    }
}

/// Why a directory file was refused.
public struct DirectoryError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}
