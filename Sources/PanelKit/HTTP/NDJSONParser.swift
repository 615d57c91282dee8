import Foundation

/// Incremental parser for newline-delimited JSON bodies (Ollama's streaming format).
///
/// Each non-blank line must be one JSON document. A malformed line fails with
/// `HTTPError.malformedBody` whose `url` is empty (the parser does not know it; the transport's
/// `jsonLines` fills it in) and whose reason names the line number and quotes the line's start.
public struct NDJSONParser: Sendable {
    private var lines = LineSplitter()
    private var lineNumber = 0

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Consumes the next chunk of the body and returns the documents on the lines it completed.
    public mutating func feed(_ chunk: Data) throws(HTTPError) -> [JSONValue] {
        var values: [JSONValue] = []
        for line in lines.feed(chunk) {
            if let value = try parse(line) { values.append(value) }
        }
        return values
    }

    /// Ends the stream, returning the document on a last line that had no trailing newline.
    public mutating func finish() throws(HTTPError) -> [JSONValue] {
        guard let line = lines.finish(), let value = try parse(line) else { return [] }
        return [value]
    }

    private mutating func parse(_ line: [UInt8]) throws(HTTPError) -> JSONValue? {
        lineNumber += 1
        let isBlank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        if isBlank { return nil }
        do {
            return try JSONParser.parse(Data(line))
        } catch {
            let text = String(decoding: line, as: UTF8.self)
            let start = text.count > 60 ? text.prefix(60) + "…" : text[...]
            throw .malformedBody(
                url: "", reason: "line \(lineNumber) is not JSON (\(error.message) at column \(error.column)): \(start)")
        }
    }
}
