/// What a button carries back: the action, the incident and the level of the card it sits on.
///
/// Encoded as `a:<incident>:<level>` or `f:<incident>:<level>`, at most 43 bytes, well inside Telegram's
/// 64-byte limit for `callback_data`.
public struct CallbackData: Sendable, Equatable {
    public enum Action: String, Sendable { case acknowledge = "a", forward = "f" }

    public var action: Action
    public var incidentID: Int64
    public var level: Int

    public init(action: Action, incidentID: Int64, level: Int) {
        self.action = action
        self.incidentID = incidentID
        self.level = level
    }

    public var encoded: String { "\(action.rawValue):\(incidentID):\(level)" }

    /// Decodes strictly: anything else (forged, truncated, over 64 bytes) is nil.
    public init?(_ text: String) {
        guard text.utf8.count <= 64 else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let action = Action(rawValue: String(parts[0])),
            let incident = Int64(parts[1]), incident > 0, String(incident) == parts[1],
            let level = Int(parts[2]), (1...Directory.levelCount).contains(level), String(level) == parts[2]
        else { return nil }
        self.init(action: action, incidentID: incident, level: level)
    }
}
