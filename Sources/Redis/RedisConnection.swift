import CHiredis
import Foundation

/// One blocking connection to Redis, owning a hiredis context.
///
/// Not thread-safe: each thread (an HTTP handler slot, a worker loop, a poller) owns its own. After an I/O
/// error or a timeout hiredis leaves the context unusable, so the connection drops it and dials again on
/// the next command; a failed dial throws `RedisError` of kind `.connection` and the caller backs off.
public final class RedisConnection {
    public let url: RedisURL
    /// The socket timeout. Keep it above any `BLOCK` time given to a blocking command on this connection.
    public let timeout: Double
    private var context: UnsafeMutablePointer<redisContext>?
    private var scriptHashes: [String: String] = [:]

    public init(url: RedisURL, timeout: Double = 5) {
        self.url = url
        self.timeout = timeout
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Whether a context is currently open (it may still turn out broken on the next command).
    public var isConnected: Bool { context != nil }

    /// Dials now instead of on the first command.
    public func connect() throws {
        _ = try liveContext()
    }

    // MARK: - Commands

    /// Runs one command given as its words, e.g. `["XADD", key, "*", "kind", "alert"]`.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisReply {
        let operation = arguments.first?.uppercased() ?? "?"
        let context = try liveContext()
        let reply = withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let reply else {
            let message = Self.errorText(context)
            drop()
            throw RedisError(.connection, operation: operation, message: message)
        }
        defer { freeReplyObject(reply) }
        let value = Self.convert(reply.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = value {
            throw RedisError(.server, operation: operation, message: message)
        }
        return value
    }

    /// Runs a Lua script by its SHA1, loading it first when this server does not know it (`NOSCRIPT`).
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) throws -> RedisReply {
        let words = [String(keys.count)] + keys + arguments
        if let sha = scriptHashes[script.name] {
            do {
                return try command(["EVALSHA", sha] + words)
            } catch let error as RedisError where error.serverCode == "NOSCRIPT" {
                scriptHashes[script.name] = nil
            }
        }
        guard let sha = try command(["SCRIPT", "LOAD", script.source]).text else {
            throw RedisError(.unexpectedReply, operation: "SCRIPT LOAD", message: "no hash for \(script.name)")
        }
        scriptHashes[script.name] = sha
        do {
            return try command(["EVALSHA", sha] + words)
        } catch let error as RedisError where error.kind == .server {
            throw RedisError(.server, operation: "script \(script.name)", message: error.message)
        }
    }

    /// The server's clock in milliseconds since the epoch (`TIME`): the one clock all hosts share.
    public func serverTimeMillis() throws -> Int64 {
        guard let parts = try command(["TIME"]).array, parts.count == 2,
            let seconds = parts[0].int, let micros = parts[1].int
        else { throw RedisError(.unexpectedReply, operation: "TIME", message: "not two integers") }
        return seconds * 1000 + micros / 1000
    }

    // MARK: - Connection lifecycle

    private func liveContext() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        var tv = Self.timeval(seconds: min(timeout, 5))
        guard let fresh = redisConnectWithTimeout(url.host, Int32(url.port), tv) else {
            throw RedisError(.connection, operation: "CONNECT", message: "cannot allocate a hiredis context")
        }
        if fresh.pointee.err != 0 {
            let message = Self.errorText(fresh)
            redisFree(fresh)
            throw RedisError(.connection, operation: "CONNECT", message: "\(url.host):\(url.port): \(message)")
        }
        tv = Self.timeval(seconds: timeout)
        _ = redisSetTimeout(fresh, tv)
        context = fresh
        scriptHashes = [:]
        do {
            if let password = url.password {
                try command(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if url.database != 0 { try command(["SELECT", String(url.database)]) }
        } catch {
            drop()
            throw error
        }
        return fresh
    }

    /// Forgets a context that hiredis can no longer use; the next command dials again.
    public func drop() {
        if let context { redisFree(context) }
        context = nil
    }

    // MARK: - Conversions

    private static func timeval(seconds: Double) -> Glibc.timeval {
        let whole = Int(seconds)
        return Glibc.timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "connection lost" : text
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STATUS: return .status(bytes(r.str, r.len))
        case REDIS_REPLY_ERROR: return .error(bytes(r.str, r.len))
        case REDIS_REPLY_INTEGER: return .integer(r.integer)
        case REDIS_REPLY_STRING: return .string(bytes(r.str, r.len))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default: return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    private func withArgv<T>(
        _ arguments: [String],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        let buffers = arguments.map { Array($0.utf8CString) }
        let lengths = buffers.map { $0.count - 1 }
        let pointers = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(buffers.count, 1))
        defer { pointers.deallocate() }
        return withExtendedLifetime(buffers) {
            var owned: [UnsafeMutablePointer<CChar>] = []
            for (index, buffer) in buffers.enumerated() {
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: buffer.count)
                copy.initialize(from: buffer, count: buffer.count)
                owned.append(copy)
                pointers[index] = UnsafePointer(copy)
            }
            defer { owned.forEach { $0.deallocate() } }
            return lengths.withUnsafeBufferPointer { body(Int32(arguments.count), pointers, $0.baseAddress!) }
        }
    }
}
