import Foundation
import Testing

@testable import PanelKit

@Suite struct LineSplitterTests {
    @Test func keepsAnUnfinishedLineForTheNextChunk() {
        var splitter = LineSplitter()
        #expect(splitter.feed(Data("ab".utf8)).isEmpty)
        #expect(splitter.feed(Data("c\nd".utf8)) == [Array("abc".utf8)])
        #expect(splitter.finish() == Array("d".utf8))
        #expect(splitter.finish() == nil)
    }

    @Test func crlfSplitAcrossChunksIsOneBreak() {
        var splitter = LineSplitter(breaksOnCarriageReturn: true)
        let lines = splitter.feed(Data("a\r".utf8)) + splitter.feed(Data("\nb\n".utf8))
        #expect(lines == [Array("a".utf8), Array("b".utf8)])
    }

    @Test func loneCarriageReturnBreaksOnlyWhenAskedTo() {
        var sse = LineSplitter(breaksOnCarriageReturn: true)
        var ndjson = LineSplitter()
        #expect(sse.feed(Data("a\rb\n".utf8)) == [Array("a".utf8), Array("b".utf8)])
        #expect(ndjson.feed(Data("a\rb\n".utf8)) == [Array("a\rb".utf8)])
    }

    @Test func multiByteCharacterSplitAcrossChunksStaysWhole() {
        var splitter = LineSplitter()
        let bytes = Array("é\n".utf8)
        let lines = splitter.feed(Data(bytes[..<1])) + splitter.feed(Data(bytes[1...]))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["é"])
    }
}
