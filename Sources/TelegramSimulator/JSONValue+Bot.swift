import JSON

/// How the Bot API reads and writes JSON beyond plain values.
extension JSONValue {
    /// The value itself, or the JSON a string field carries (`reply_markup` sent as a form field).
    var decodedIfString: JSONValue? {
        if case .string(let text) = self { return JSONValue.parse(text) }
        return self
    }

    /// An object without its `.null` members, the way the Bot API leaves out absent fields.
    static func compact(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.filter { $0.value != .null })
    }
}
