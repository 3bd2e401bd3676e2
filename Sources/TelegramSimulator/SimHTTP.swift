import Foundation
import HTTPServer
import JSON

extension HTTPResponse {
    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse.json(status, value.bytes)
    }

    static func html(_ text: String) -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"],
            body: Array(text.utf8))
    }

    /// The `Content-Type` header, empty when there is none.
    public var contentType: String { headers["Content-Type"] ?? "" }

    /// The body as UTF-8 text (for tests and logs).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON, when it is.
    public var json: JSONValue? { JSONValue.parse(body) }
}

// MARK: - Parameters

/// A Bot API call's parameters, merged from the query string and a JSON or form body.
struct BotParameters {
    var values: [String: JSONValue]

    subscript(key: String) -> JSONValue? {
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) -> String? {
        switch self[key] {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return String(value)
        default: return nil
        }
    }

    func int64(_ key: String) -> Int64? { self[key]?.int64Value }
    func double(_ key: String) -> Double? { self[key]?.doubleValue }
    func bool(_ key: String) -> Bool { self[key]?.boolValue ?? false }

    /// A structured field (`reply_markup`, `reply_parameters`), given as JSON or as a string of JSON.
    func structured(_ key: String) -> JSONValue?? {
        guard let value = self[key] else { return .some(nil) }
        guard let decoded = value.decodedIfString else { return nil }
        return .some(decoded)
    }

    /// Reads the request; nil with a description when the body cannot be read.
    static func read(_ request: HTTPRequest, query: [String: String]) -> Result<BotParameters, BotError> {
        var values = query.mapValues(JSONValue.string)
        guard !request.body.isEmpty else { return .success(BotParameters(values: values)) }

        switch request.mediaType ?? "" {
        case "application/json":
            guard case .object(let members)? = JSONValue.parse(request.body) else {
                return .failure(.badRequest("can't parse JSON object"))
            }
            values.merge(members) { _, body in body }
        case "application/x-www-form-urlencoded", "":
            let fields = FormDecoding.decode(String(decoding: request.body, as: UTF8.self))
            values.merge(fields.mapValues(JSONValue.string)) { _, body in body }
        default:
            return .failure(.badRequest("unsupported content type \(request.mediaType ?? "") in the simulator"))
        }
        return .success(BotParameters(values: values))
    }
}

/// `application/x-www-form-urlencoded` and query strings.
enum FormDecoding {
    static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(String(parts[0]))
            result[key] = parts.count > 1 ? unescape(String(parts[1])) : ""
        }
        return result
    }

    static func unescape(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
