import JSON

// MARK: - What a job is about, for people

extension Job {
    /// What the job concerns, in a few words for `tocsin queue list`: the Alertmanager group of a
    /// notification, the incident and level of a timer, the card of a post or edit, the Telegram update.
    /// Empty when the body does not say (a body the queue cannot read is still listed, by its kind).
    public var subject: String {
        guard let body = JSONValue.parse(body) else { return "" }
        switch kind {
        case .alert:
            let status = body["status"]?.stringValue.map { " (\($0))" } ?? ""
            return body["groupKey"]?.stringValue.map { "group \($0)\(status)" } ?? ""
        case .escalate:
            guard let incident = body["incident"]?.int64Value else { return "" }
            return "incident \(incident)" + (body["level"]?.int64Value.map { ", level \($0)" } ?? "")
        case .post, .edit:
            return body["message"]?.int64Value.map { "card \($0)" } ?? ""
        case .update:
            return body["update_id"]?.int64Value.map { "update \($0)" } ?? ""
        }
    }
}
