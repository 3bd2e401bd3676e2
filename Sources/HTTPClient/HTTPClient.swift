import CCurl
import Foundation

/// A blocking HTTP client owning one libcurl easy handle, so its connection is kept alive between requests.
///
/// Not thread-safe: each thread that sends owns its own client.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init() {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { fatalError("libcurl: curl_easy_init failed (out of memory)") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sends one request and waits for the whole answer. `timeout` bounds the whole exchange in seconds.
    public func send(
        method: String = "POST", url: String, headers: [String] = [], body: [UInt8] = [], timeout: Double = 10
    ) throws -> HTTPClientResponse {
        let host = Self.host(of: url)
        curl_easy_reset(handle)
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }

        return try withExtendedLifetime(sink) {
            try body.withUnsafeBufferPointer { bodyBuffer in
                var status = CURLE_OK
                func set(_ code: CURLcode) { if status == CURLE_OK { status = code } }
                set(tocsin_curl_setopt_string(handle, CURLOPT_URL, url))
                set(tocsin_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                set(tocsin_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000)))
                set(tocsin_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000)))
                set(tocsin_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
                set(tocsin_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)))
                set(tocsin_curl_setopt_write_function(handle, responseWriter))
                set(tocsin_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer))
                if method == "POST" {
                    set(tocsin_curl_setopt_long(handle, CURLOPT_POST, 1))
                    set(tocsin_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, bodyBuffer.count))
                    let raw = UnsafeMutableRawPointer(mutating: bodyBuffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                    set(tocsin_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, raw))
                } else if method != "GET" {
                    set(tocsin_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
                }
                guard status == CURLE_OK else {
                    throw HTTPClientError(.notSent, host: host, message: "setup: \(Self.describe(status))")
                }

                let result = curl_easy_perform(handle)
                guard result == CURLE_OK else {
                    throw HTTPClientError(Self.kind(of: result), host: host, message: Self.describe(result))
                }
                var code = 0
                _ = tocsin_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
                return HTTPClientResponse(status: code, body: sink.bytes)
            }
        }
    }

    // MARK: - Helpers

    /// Errors raised before a byte of the request left: the server cannot have acted on it.
    private static func kind(of code: CURLcode) -> HTTPClientError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_SSL_CONNECT_ERROR, CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            .notSent
        default:
            .maybeSent
        }
    }

    private static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    /// `scheme://host:port` of a URL, the part that is safe to log.
    public static func host(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "?" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let hostPart = authority.split(separator: "@").last.map(String.init) ?? String(authority)
        return String(url[..<schemeEnd.upperBound]) + hostPart
    }
}

/// Collects the response body; libcurl calls `responseWriter` with it in pieces.
private final class ResponseSink {
    var bytes: [UInt8] = []
}

private func responseWriter(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}
