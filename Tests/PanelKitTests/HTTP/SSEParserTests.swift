import Foundation
import Testing

@testable import PanelKit

@Suite struct SSEParserTests {
    /// A stream exercising every rule: comment, CRLF, lone CR, multi-line data, event field,
    /// no space after the colon, a multi-byte character, an empty-data event that must not dispatch.
    static let stream = Data(
        (": ping\n\n" + "data: {\"text\": \"café 🎉\"}\r\n\r\n" + "event: usage\ndata: line one\ndata:line two\n\n"
            + "data:  two spaces\r\r" + "event: ignored\n\n" + "id: 7\nretry: 100\ndata: x\n\n" + "data: [DONE]\n\n").utf8)
    static let expected = [
        SSEEvent(data: "{\"text\": \"café 🎉\"}"),
        SSEEvent(event: "usage", data: "line one\nline two"),
        SSEEvent(data: " two spaces"),
        SSEEvent(data: "x"),
        SSEEvent(data: "[DONE]"),
    ]

    private func parse(_ chunks: [Data]) -> [SSEEvent] {
        var parser = SSEParser()
        return chunks.flatMap { parser.feed($0) } + parser.finish()
    }

    @Test func parsesWholeStream() {
        #expect(parse([Self.stream]) == Self.expected)
    }

    @Test func splitAtEveryByteOffset() {
        for offset in 0...Self.stream.count {
            let chunks = [Self.stream.prefix(offset), Self.stream.dropFirst(offset)].map { Data($0) }
            #expect(parse(chunks) == Self.expected, "split at byte \(offset)")
        }
    }

    @Test func oneByteAtATime() {
        #expect(parse(Self.stream.map { Data([$0]) }) == Self.expected)
    }

    @Test func crAtChunkEndFollowedByLFIsOneLineBreak() {
        // If the \n after a chunk-final \r were taken for a blank line, "a" would be dispatched alone.
        let events = parse([Data("data: a\r".utf8), Data("\ndata: b\n\n".utf8)])
        #expect(events == [SSEEvent(data: "a\nb")])
    }

    @Test func eventsAreReturnedAsSoonAsTheBlankLineArrives() {
        var parser = SSEParser()
        #expect(parser.feed(Data("data: one\n".utf8)).isEmpty)
        #expect(parser.feed(Data("\ndata: two".utf8)) == [SSEEvent(data: "one")])
        #expect(parser.finish() == [SSEEvent(data: "two")])
    }

    @Test func doneSentinelIsOrdinaryDataThatCallersCanRecognise() {
        let events = parse([Data("data: {\"done\": false}\n\ndata: [DONE]\n\n".utf8)])
        #expect(events.map(\.isDone) == [false, true])
    }

    @Test func leadingByteOrderMarkIsIgnored() {
        #expect(parse([Data([0xEF, 0xBB]), Data([0xBF] + Array("data: x\n\n".utf8))]) == [SSEEvent(data: "x")])
    }

    @Test func commentsAndEmptyEventsDispatchNothing() {
        #expect(parse([Data(": ping\n\n:keepalive\n\nevent: nothing\n\n\n\n".utf8)]).isEmpty)
    }
}
