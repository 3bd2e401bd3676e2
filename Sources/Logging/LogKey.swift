/// Every structured field name Tocsin logs, in one place, in snake case.
public enum LogKey: String, Sendable {
    case address
    case attempt
    case chatID = "chat_id"
    case consumer
    case count
    case delayMillis = "delay_ms"
    case due
    case error
    case incident
    case job
    case jobKind = "job_kind"
    case level
    case method
    case messageID = "message_id"
    case path
    case service
    case status
    case updateID = "update_id"
    case version
    case worker
}
