/// A YAML document as a tree of scalars, sequences and mappings, each with the line it starts on
/// (1-based), so that callers can say where a mistake is.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, line: Int)
    case sequence([YAMLNode], line: Int)
    case mapping([YAMLPair], line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, let line), .sequence(_, let line), .mapping(_, let line): line
        }
    }

    public var scalar: String? {
        if case .scalar(let value, _) = self { return value }
        return nil
    }

    /// The value of `key` in a mapping.
    public subscript(_ key: String) -> YAMLNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }
}

/// One entry of a mapping; order and duplicates are kept so callers can refuse repeated keys.
public struct YAMLPair: Sendable, Equatable {
    public var key: String
    public var keyLine: Int
    public var value: YAMLNode

    public init(key: String, keyLine: Int, value: YAMLNode) {
        self.key = key
        self.keyLine = keyLine
        self.value = value
    }
}

/// A document libyaml could not parse, or used a feature Tocsin refuses (anchors, complex keys).
public struct YAMLError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
