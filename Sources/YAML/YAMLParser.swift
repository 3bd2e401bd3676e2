import CYaml

/// Parses YAML text with libyaml's event parser, owning the `yaml_parser_t` for one document.
public enum YAMLParser {
    /// The first document of `text` as a tree; an empty document is an empty mapping.
    public static func parse(_ text: String) throws -> YAMLNode {
        let reader = EventReader(bytes: Array(text.utf8))
        defer { reader.close() }
        var stack: [Frame] = []
        var root: YAMLNode?
        while root == nil {
            let event = try reader.next()
            switch event.kind {
            case .streamStart, .documentStart:
                continue
            case .streamEnd, .documentEnd:
                return root ?? .mapping([], line: event.line)
            case .alias:
                throw YAMLError(line: event.line, message: "aliases are not supported")
            case .scalar(let value):
                root = try add(.scalar(value, line: event.line), to: &stack)
            case .sequenceStart:
                stack.append(Frame(kind: .sequence, line: event.line))
            case .mappingStart:
                stack.append(Frame(kind: .mapping, line: event.line))
            case .sequenceEnd, .mappingEnd:
                let frame = stack.removeLast()
                let node: YAMLNode =
                    frame.kind == .sequence
                    ? .sequence(frame.items, line: frame.line) : .mapping(frame.pairs, line: frame.line)
                root = try add(node, to: &stack)
            }
        }
        return root!
    }

    /// Adds a finished node to the open collection, or returns it when it is the document's root.
    private static func add(_ node: YAMLNode, to stack: inout [Frame]) throws -> YAMLNode? {
        guard !stack.isEmpty else { return node }
        let index = stack.count - 1
        switch stack[index].kind {
        case .sequence:
            stack[index].items.append(node)
        case .mapping:
            if let key = stack[index].pendingKey {
                stack[index].pairs.append(YAMLPair(key: key.text, keyLine: key.line, value: node))
                stack[index].pendingKey = nil
            } else {
                guard case .scalar(let text, let line) = node else {
                    throw YAMLError(line: node.line, message: "a mapping key must be a plain value")
                }
                stack[index].pendingKey = (text, line)
            }
        }
        return nil
    }

    private struct Frame {
        enum Kind { case sequence, mapping }
        var kind: Kind
        var line: Int
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: (text: String, line: Int)?
    }
}

// MARK: - libyaml

/// One parser event, copied out of libyaml's memory.
private struct Event {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd, alias
        case scalar(String)
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd
    }

    var kind: Kind
    var line: Int
}

/// Owns a `yaml_parser_t` and the input it reads from.
private final class EventReader {
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var open = false

    init(bytes: [UInt8]) {
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        if yaml_parser_initialize(parser) == 1 {
            open = true
            yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
        }
    }

    func close() {
        if open { yaml_parser_delete(parser) }
        open = false
    }

    deinit {
        close()
        parser.deallocate()
        input.deallocate()
    }

    func next() throws -> Event {
        guard open else { throw YAMLError(line: 0, message: "libyaml: cannot initialise the parser") }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
            throw YAMLError(line: Int(parser.pointee.problem_mark.line) + 1, message: problem)
        }
        defer { yaml_event_delete(&event) }
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_STREAM_START_EVENT: return Event(kind: .streamStart, line: line)
        case YAML_STREAM_END_EVENT: return Event(kind: .streamEnd, line: line)
        case YAML_DOCUMENT_START_EVENT: return Event(kind: .documentStart, line: line)
        case YAML_DOCUMENT_END_EVENT: return Event(kind: .documentEnd, line: line)
        case YAML_ALIAS_EVENT: return Event(kind: .alias, line: line)
        case YAML_SEQUENCE_START_EVENT: return Event(kind: .sequenceStart, line: line)
        case YAML_SEQUENCE_END_EVENT: return Event(kind: .sequenceEnd, line: line)
        case YAML_MAPPING_START_EVENT: return Event(kind: .mappingStart, line: line)
        case YAML_MAPPING_END_EVENT: return Event(kind: .mappingEnd, line: line)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            if scalar.anchor != nil { throw YAMLError(line: line, message: "anchors are not supported") }
            let text =
                scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
                } ?? ""
            return Event(kind: .scalar(text), line: line)
        default:
            throw YAMLError(line: line, message: "unexpected YAML event")
        }
    }
}
