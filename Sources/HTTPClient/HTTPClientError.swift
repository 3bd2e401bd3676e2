/// A request that got no HTTP answer. It names the host, never the URL: a Bot API URL carries the token.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Nothing reached the server (DNS, refused connection, TLS handshake): safe to retry.
        case notSent
        /// The request may have reached the server and been acted on (timeout or reset after sending).
        case maybeSent
    }

    public var kind: Kind
    public var host: String
    public var message: String

    public init(_ kind: Kind, host: String, message: String) {
        self.kind = kind
        self.host = host
        self.message = message
    }

    public var description: String { "http request to \(host): \(message)" }
}

/// The status and body of an HTTP answer.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
