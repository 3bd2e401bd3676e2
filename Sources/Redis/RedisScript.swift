/// A Lua script run with `EVALSHA`. Scripts return strings, never numbers: hiredis 0.14 speaks RESP2,
/// which truncates a Lua number to an integer.
public struct RedisScript: Sendable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}
