import Foundation
import Testing

@testable import PanelKit

/// `JSONParser` (strict, with line map) and the writer (compact, pretty, canonical).
@Suite struct JSONTests {
    // MARK: Parsing

    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(value["a"] == [1, -2.5, 300, true, false, nil])
        #expect(value["b"]?["c"] == "d")
        #expect(value["e"] == "")
        #expect(value["missing"] == nil)
        #expect(value["a"]?[9] == nil)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.intValue == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00 caf\u00E9""#)
        #expect(value == .string("q\"b\\s/n\nt\tué😀 café"))
        // A lone surrogate becomes the replacement character rather than failing.
        #expect(try JSONParser.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try JSONParser.parse("\"naïve ✓\"") == .string("naïve ✓"))
    }

    @Test func keepsMembersInTheirOrderAndLaterDuplicatesWin() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"] == 4)
    }

    @Test(arguments: [
        ("", 1, 1, "unexpected end of input"),
        ("{\"a\": 1,}", 1, 9, "expected a quoted member name"),
        ("[1 2]", 1, 4, "expected ',' or ']' in array"),
        ("{\n  \"a\": tru\n}", 2, 8, "invalid literal (expected 'true')"),
        // Number errors are reported where the parser stopped, just past the number's digits.
        ("[01]", 1, 4, "invalid number (leading zero)"),
        ("[1.]", 1, 4, "invalid number (no digits after '.')"),
        ("[-]", 1, 3, "invalid number"),
        ("\"abc", 1, 5, "unterminated string"),
        ("\"a\nb\"", 1, 3, "unterminated string"),
        ("\"\\x\"", 1, 4, "invalid escape '\\x'"),
        ("{} {}", 1, 4, "unexpected text after the JSON value"),
        ("{'a': 1}", 1, 2, "expected a quoted member name"),
        ("\n\n   @", 3, 4, "unexpected character '@'"),
    ])
    func syntaxErrorsNameLineAndColumn(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        #expect(throws: JSONSyntaxError(message: message, line: line, column: column)) { try JSONParser.parse(text) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func recordsTheLineOfEveryValueByPath() throws {
        let text = """
            {
              "candidates": [
                {
                  "id": "a",
                  "urls": ["http://x",
                           "http://y"]
                },
                {"id": "b"}
              ]
            }
            """
        let (_, lines) = try JSONParser.parseWithLines(Data(text.utf8))
        #expect(lines[""] == 1)
        #expect(lines["candidates"] == 2)
        #expect(lines["candidates[0]"] == 3)
        #expect(lines["candidates[0].id"] == 4)
        #expect(lines["candidates[0].urls[1]"] == 6)
        #expect(lines["candidates[1]"] == 8)
        #expect(lines["candidates[1].id"] == 8)
    }

    // MARK: Writing

    @Test func writesCompactJSONThatParsesBack() throws {
        let value: JSONValue = [
            "text": "line\n\"quoted\" \\ tab\t bell\u{07} é😀", "n": 3, "x": 0.25, "big": 1e20, "neg": -7,
            "list": [true, nil, []], "empty": [:],
        ]
        let text = value.serialized()
        #expect(!text.contains("\n"))
        #expect(text.contains(#""n":3,"#))
        #expect(text.contains(#"\u0007"#))
        #expect(try JSONParser.parse(text) == value)
        #expect(try JSONParser.parse(value.serialized(pretty: true)) == value)
    }

    @Test func sortedKeysGiveOneCanonicalText() {
        let one: JSONValue = ["b": 1, "a": ["d": 2, "c": 3]]
        let two: JSONValue = ["a": ["c": 3, "d": 2], "b": 1]
        #expect(one.serialized() != two.serialized())
        #expect(one.serialized(sortedKeys: true) == two.serialized(sortedKeys: true))
        #expect(one.serialized(sortedKeys: true) == #"{"a":{"c":3,"d":2},"b":1}"#)
    }

    @Test func nonFiniteNumbersAreWrittenAsNull() throws {
        let value: JSONValue = [.number(.nan), .number(.infinity), .number(-.infinity)]
        #expect(value.serialized() == "[null,null,null]")
    }

    @Test func prettyOutputIndentsByTwoSpaces() {
        let value: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(value.serialized(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}
