import Testing

@testable import JSON

/// The JSON reader against RFC 8259: what it accepts and builds, what it refuses and why.
@Suite struct JSONParserTests {
    static let valid: [(String, JSONValue)] = [
        ("null", .null), (" true ", .bool(true)), ("false", .bool(false)), ("0", .int(0)), ("-0", .int(0)),
        ("42", .int(42)), ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9.223372036854775808e18)), ("1.5", .double(1.5)),
        ("-2.5e-3", .double(-0.0025)), ("1E3", .double(1000)), ("1e+2", .double(100)), (#""""#, .string("")),
        (#""a\"b\\c\/d""#, .string("a\"b\\c/d")), (#""\b\f\n\r\t""#, .string("\u{8}\u{c}\n\r\t")),
        (#""\u00e9\u4e2d""#, .string("é中")), (#""\ud83d\ude00""#, .string("😀")),
        (#""😀 <b>&</b>""#, .string("😀 <b>&</b>")), ("[]", .array([])), ("{}", .object([:])),
        ("[1, [2, []], {\"a\": null}]", [1, [2, []], ["a": nil]]), ("{\"a\": 1, \"a\": 2}", ["a": 2]),
        ("\n\t{ \"k\" :\r\n\"v\" }\n", ["k": "v"]),
    ]

    @Test(arguments: valid)
    func acceptsJSON(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.read(Array(text.utf8)) == expected)
        #expect(JSONValue.parse(text) == expected)
    }

    static let invalid: [(String, String)] = [
        ("", "unexpected end of text"), ("{", "unexpected end of text"), ("[1,]", "unexpected character"),
        ("{\"a\":1,}", "expected a string key"), ("{'a':1}", "expected a string key"), ("{\"a\" 1}", "expected ':'"),
        ("[1 2]", "expected ',' or ']'"), ("01", "unexpected text after the value"), ("1.", "expected a digit after"),
        (".5", "unexpected character"), ("-", "expected a digit"), ("1e", "expected a digit in an exponent"),
        ("1e400", "number out of range"), ("tru", "unexpected end of text"), ("nul!", "unexpected character"),
        ("NaN", "unexpected character"), ("1 2", "unexpected text after the value"), (#""\x""#, "invalid escape"),
        (#""\u12zz""#, "invalid \\u escape"), (#""\ud800""#, "lone surrogate"), (#""\udc00x""#, "lone surrogate"),
        ("\"a\nb\"", "control character"), ("\"abc", "unterminated string"), ("\"a\\", "unterminated string"),
    ]

    @Test(arguments: invalid)
    func refusesWhatIsNotJSON(text: String, reason: String) {
        #expect(JSONValue.parse(text) == nil)
        do {
            _ = try JSONValue.read(Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.reason.contains(reason), "\(text): \(error)")
        }
    }

    @Test func refusesInvalidUTF8InStrings() {
        #expect(JSONValue.parse([0x22, 0xFF, 0x22]) == nil)
        #expect(JSONValue.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) == nil)
        #expect(JSONValue.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
    }

    @Test func nestingIsBounded() {
        let levels = JSONParser.maxDepth
        let deep = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        #expect(JSONValue.parse(deep) != nil)
        let deeper = "[" + deep + "]"
        do {
            _ = try JSONValue.read(Array(deeper.utf8))
            Issue.record("accepted \(JSONParser.maxDepth + 1) levels")
        } catch {
            #expect(error.reason.hasPrefix("nested deeper than"))
            #expect(error.offset == JSONParser.maxDepth)
        }
    }

    /// Whatever the writer makes, the reader reads back as it was: random trees of every kind, hostile
    /// strings included (the writer escapes `<` and control characters as `\u` sequences).
    @Test func readsBackWhatItWrites() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<300 {
            let value = Self.randomValue(&generator, depth: 0)
            #expect(JSONValue.parse(value.serialized) == value, "\(value.serialized)")
        }
    }

    static func randomValue(_ generator: inout SplitMix, depth: Int) -> JSONValue {
        let pieces = [
            "a", "é", "中", "😀", "<", ">", "&", "\"", "\\", "\n", "\u{1}", "\u{7f}", " ", "/", "\u{2028}",
        ]
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: generator.next()) >> (generator.next() % 64))
        case 3: return .double(Double(Int64(bitPattern: generator.next()) >> 20) + 0.5)
        case 4: return .string((0..<generator.next() % 12).map { _ in pieces[Int(generator.next() % 15)] }.joined())
        case 5: return .array((0..<generator.next() % 5).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<generator.next() % 5 {
                members["k\(index)\(pieces[Int(generator.next() % 15)])"] = randomValue(&generator, depth: depth + 1)
            }
            return .object(members)
        }
    }
}

/// A small seeded generator, so a failing tree can be found again.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
