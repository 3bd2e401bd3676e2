import CMicroHTTPD
import Glibc

/// An HTTP/1.1 server on libmicrohttpd, owning its daemon.
///
/// libmicrohttpd parses HTTP and runs one thread per connection, so a handler may block (on Redis, or a
/// long poll) without stalling other clients. Bodies over `maxBodyBytes` are answered 413 without being
/// kept in memory; the handler never sees them.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: `daemon` is written in init and by `stop()` only, which callers run once at shutdown.
    private var daemon: OpaquePointer?
    private let context: ServerContext
    /// The TCP port the server listens on (the one the system chose when asked for port 0).
    public let port: Int

    /// Starts listening on `address` (`host:port`, `[v6]:port`), calling `handler` for every request.
    public init(
        address: String, maxBodyBytes: Int = 1 << 20, connectionLimit: Int = 512,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) throws {
        guard var socketAddress = SocketAddress(address) else {
            throw HTTPServerError(message: "'\(address)' is not host:port")
        }
        context = ServerContext(handler: handler, maxBodyBytes: maxBodyBytes)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let started = socketAddress.withSockaddr { sockaddr in
            tocsin_mhd_start(
                sockaddr, UInt32(connectionLimit), 60, accessHandler, contextPointer,
                requestCompleted, nil)
        }
        guard let started else {
            throw HTTPServerError(message: "cannot listen on \(address) (in use, or not a local address)")
        }
        daemon = started
        port = Int(tocsin_mhd_bound_port(started))
    }

    deinit {
        stop()
    }

    /// Stops accepting and closes every connection; waits for running handlers to return.
    public func stop() {
        if let daemon { MHD_stop_daemon(daemon) }
        daemon = nil
    }
}

public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { "http server: \(message)" }
}

// MARK: - Callbacks from libmicrohttpd

/// What the C callbacks need: the handler and the body limit.
private final class ServerContext: Sendable {
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    let maxBodyBytes: Int

    init(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse, maxBodyBytes: Int) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
    }
}

/// One request in progress: the body as it arrives, across several calls of `accessHandler`.
private final class RequestState {
    var body: [UInt8] = []
    var tooLarge = false
}

private let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, _, uploadData, uploadSize, requestState in
    guard let context, let connection, let requestState, let uploadSize else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()

    // First call: headers only. Refuse an announced oversize body before reading it.
    guard let statePointer = requestState.pointee else {
        let state = RequestState()
        requestState.pointee = Unmanaged.passRetained(state).toOpaque()
        let length = header(connection, "Content-Length").flatMap { Int($0) } ?? 0
        if length > server.maxBodyBytes {
            state.tooLarge = true
            return queue(connection, .text(413, "request body is over \(server.maxBodyBytes) bytes"))
        }
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(statePointer).takeUnretainedValue()

    // Middle calls: a piece of the body.
    if uploadSize.pointee > 0 {
        if !state.tooLarge, let uploadData {
            if state.body.count + uploadSize.pointee > server.maxBodyBytes {
                state.tooLarge = true
                state.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                    state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
                }
            }
        }
        uploadSize.pointee = 0
        return .YES
    }

    // Last call: the whole request is here.
    if state.tooLarge {
        return queue(connection, .text(413, "request body is over \(server.maxBodyBytes) bytes"))
    }
    let fullPath = url.map { String(cString: $0) } ?? "/"
    let request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET",
        path: fullPath,
        query: values(connection, .GET_ARGUMENT_KIND, lowercased: false),
        headers: values(connection, .HEADER_KIND, lowercased: true),
        body: state.body)
    return queue(connection, server.handler(request))
}

private let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestState, _ in
    guard let requestState, let pointer = requestState.pointee else { return }
    Unmanaged<RequestState>.fromOpaque(pointer).release()
    requestState.pointee = nil
}

private func header(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

/// Collects the headers or query arguments of a request.
private final class ValueSink {
    var values: [String: String] = [:]
    let lowercased: Bool
    init(lowercased: Bool) { self.lowercased = lowercased }
}

private func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercased: Bool) -> [String: String] {
    let sink = ValueSink(lowercased: lowercased)
    withExtendedLifetime(sink) {
        _ = MHD_get_connection_values(
            connection, kind,
            { context, _, key, value in
                guard let context, let key else { return .YES }
                let sink = Unmanaged<ValueSink>.fromOpaque(context).takeUnretainedValue()
                let name = String(cString: key)
                sink.values[sink.lowercased ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
                return .YES
            }, Unmanaged.passUnretained(sink).toOpaque())
    }
    return sink.values
}

private func queue(_ connection: OpaquePointer, _ response: HTTPResponse) -> MHD_Result {
    let created = response.body.withUnsafeBytes { raw in
        MHD_create_response_from_buffer(
            raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress),
            .RESPMEM_MUST_COPY)
    }
    guard let created else { return .NO }
    defer { MHD_destroy_response(created) }
    for (name, value) in response.headers { _ = MHD_add_response_header(created, name, value) }
    return MHD_queue_response(connection, UInt32(response.status), created)
}
