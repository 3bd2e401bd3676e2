/// The parts of a `redis://[user:password@]host[:port][/db]` URL.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var user: String?
    public var password: String?

    public init(
        host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, user: String? = nil,
        password: String? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// Parses the URL; nil when it is not a `redis://` URL with a valid port and database.
    public init?(_ text: String) {
        guard text.hasPrefix("redis://") else { return nil }
        var rest = Substring(text.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            if !dbText.isEmpty {
                guard let value = Int(dbText), value >= 0 else { return nil }
                database = value
            }
            rest = rest[..<slash]
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let name = credentials[..<colon]
                user = name.isEmpty ? nil : String(name)
                password = String(credentials[credentials.index(after: colon)...])
            } else {
                password = String(credentials)
            }
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
            host = String(rest[..<colon])
        }
        self.init(
            host: host.isEmpty ? "127.0.0.1" : host, port: port, database: database, user: user,
            password: password)
    }

    /// The URL without its password, for logs.
    public var description: String {
        let credentials = password == nil ? "" : "\(user ?? ""):***@"
        return "redis://\(credentials)\(host):\(port)/\(database)"
    }
}
