import Foundation

/// A dead job as kept in the dead hash: the job, its attempts and its last error.
public struct DeadRecord: Sendable {
    public var kind: String
    public var body: String
    public var attempts: Int
    public var error: String

    public init(_ json: String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        kind = object["kind"] as? String ?? "?"
        body = object["body"] as? String ?? ""
        attempts = (object["attempts"] as? NSNumber)?.intValue ?? 0
        error = object["error"] as? String ?? ""
    }
}
