import Foundation
import Testing

@testable import PanelKit

@Suite struct NDJSONParserTests {
    static let stream = Data(
        "{\"model\":\"m\",\"message\":{\"content\":\"café 🎉\"}}\n\n   \r\n[1,2]\r\n{\"done\":true}".utf8)
    static let expected: [JSONValue] = [
        ["model": "m", "message": ["content": "café 🎉"]],
        [1, 2],
        ["done": true],
    ]

    private func parse(_ chunks: [Data]) throws -> [JSONValue] {
        var parser = NDJSONParser()
        var values: [JSONValue] = []
        for chunk in chunks { values += try parser.feed(chunk) }
        return values + (try parser.finish())
    }

    @Test func splitAtEveryByteOffset() throws {
        for offset in 0...Self.stream.count {
            let chunks = [Self.stream.prefix(offset), Self.stream.dropFirst(offset)].map { Data($0) }
            #expect(try parse(chunks) == Self.expected, "split at byte \(offset)")
        }
    }

    @Test func oneByteAtATime() throws {
        #expect(try parse(Self.stream.map { Data([$0]) }) == Self.expected)
    }

    @Test func valuesAreReturnedWhenTheirLineEnds() throws {
        var parser = NDJSONParser()
        #expect(try parser.feed(Data("{\"a\":".utf8)).isEmpty)
        #expect(try parser.feed(Data("1}\n{\"b\"".utf8)) == [["a": 1]])
        #expect(try parser.feed(Data(":2}\n".utf8)) == [["b": 2]])
        #expect(try parser.finish().isEmpty)
    }

    @Test func malformedLineNamesItsNumberAndStart() {
        var parser = NDJSONParser()
        do {
            _ = try parser.feed(Data("{\"ok\":1}\n\n{\"index\": nope}\n".utf8))
            Issue.record("expected a malformed-body error")
        } catch {
            guard case .malformedBody(let url, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(url == "")
            #expect(reason.hasPrefix("line 3 is not JSON"))
            #expect(reason.hasSuffix("{\"index\": nope}"))
        }
    }

    @Test func malformedLastLineWithoutNewlineFailsInFinish() throws {
        var parser = NDJSONParser()
        #expect(try parser.feed(Data("[1]\n[2".utf8)) == [[1]])
        #expect(throws: HTTPError.self) { try parser.finish() }
    }
}
