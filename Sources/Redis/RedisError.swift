/// A failure talking to Redis. It names the operation (the command name, never its arguments, which may
/// carry alert text or tokens) and says whether the connection is gone, so callers know to retry.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke: retry later, Redis may come back.
        case connection
        /// The server answered with an error reply (`ERR`, `NOSCRIPT`, `BUSYGROUP`, …).
        case server
        /// A reply of a shape the caller did not expect.
        case unexpectedReply
    }

    public var kind: Kind
    public var operation: String
    public var message: String

    public init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    public var description: String { "redis \(operation): \(message)" }

    /// The error code of a server error, e.g. `NOSCRIPT` or `BUSYGROUP`.
    public var serverCode: String? {
        guard kind == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}
