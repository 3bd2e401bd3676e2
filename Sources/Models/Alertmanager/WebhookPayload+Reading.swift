import JSON

// MARK: - Reading a webhook body

extension WebhookPayload {
    /// The payload in `body`, or the first thing wrong with it, named by its path (`alerts[0].labels`).
    static func read(_ body: [UInt8]) throws(PayloadError) -> WebhookPayload {
        let value: JSONValue
        do {
            value = try JSONValue.read(body)
        } catch {
            throw PayloadError(reason: "body is not valid JSON (\(error))")
        }
        let top = try PayloadReader(value, path: "")
        let items = try top.array("alerts")
        var alerts: [Alert] = []
        alerts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let reader = try PayloadReader(item, path: "alerts[\(index)]")
            alerts.append(
                Alert(
                    status: try reader.status("status"), labels: try reader.strings("labels", required: true),
                    annotations: try reader.strings("annotations"), startsAt: try reader.string("startsAt") ?? "",
                    endsAt: try reader.string("endsAt") ?? "", generatorURL: try reader.string("generatorURL") ?? "",
                    fingerprint: try reader.string("fingerprint") ?? ""))
        }
        var payload = WebhookPayload(
            groupKey: try top.string("groupKey", required: true) ?? "", status: try top.status("status"),
            alerts: alerts, receiver: try top.string("receiver") ?? "", groupLabels: try top.strings("groupLabels"),
            commonLabels: try top.strings("commonLabels"), commonAnnotations: try top.strings("commonAnnotations"),
            externalURL: try top.string("externalURL") ?? "", truncatedAlerts: try top.integer("truncatedAlerts"))
        payload.version = try top.string("version") ?? "4"
        return payload
    }
}

/// One JSON object of a webhook body, read field by field; errors name the field's path in the body.
/// An absent field and a null one are alike, except where the field is required.
private struct PayloadReader {
    let members: [String: JSONValue]
    /// Where the object sits in the body (`alerts[0]`); empty at the top.
    let path: String

    init(_ value: JSONValue, path: String) throws(PayloadError) {
        guard case .object(let members) = value else {
            throw PayloadError(reason: "\(path.isEmpty ? "body" : path) has the wrong type (expected an object)")
        }
        self.members = members
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func mismatch(_ key: String, _ expected: String) -> PayloadError {
        PayloadError(reason: "\(name(key)) has the wrong type (expected \(expected))")
    }

    /// The field's value; nil when absent or null, an error then if `required`.
    private func field(_ key: String, required: Bool, expected: String) throws(PayloadError) -> JSONValue? {
        switch members[key] {
        case .none:
            if required { throw PayloadError(reason: "missing field \(name(key))") }
            return nil
        case .null?:
            if required { throw PayloadError(reason: "\(name(key)) is null (expected \(expected))") }
            return nil
        case let value?:
            return value
        }
    }

    func string(_ key: String, required: Bool = false) throws(PayloadError) -> String? {
        guard let value = try field(key, required: required, expected: "a string") else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string") }
        return text
    }

    func integer(_ key: String) throws(PayloadError) -> Int {
        guard let value = try field(key, required: false, expected: "a number") else { return 0 }
        guard case .int(let number) = value, let integer = Int(exactly: number) else {
            throw mismatch(key, "a whole number")
        }
        return integer
    }

    func strings(_ key: String, required: Bool = false) throws(PayloadError) -> [String: String] {
        let expected = "an object of strings"
        guard let value = try field(key, required: required, expected: expected) else { return [:] }
        guard case .object(let map) = value else { throw mismatch(key, expected) }
        var strings: [String: String] = [:]
        strings.reserveCapacity(map.count)
        for (label, item) in map {
            guard case .string(let text) = item else { throw mismatch(key, expected) }
            strings[label] = text
        }
        return strings
    }

    func status(_ key: String) throws(PayloadError) -> AlertStatus {
        let text = try string(key, required: true) ?? ""
        guard let status = AlertStatus(rawValue: text) else {
            throw PayloadError(reason: "\(name(key)) has an invalid value (expected firing or resolved)")
        }
        return status
    }

    func array(_ key: String) throws(PayloadError) -> [JSONValue] {
        guard let value = try field(key, required: true, expected: "an array") else { return [] }
        guard case .array(let items) = value else { throw mismatch(key, "an array") }
        return items
    }
}
