import Foundation

/// Incremental parser for `text/event-stream` bodies.
///
/// Follows the WHATWG event-stream rules: lines end at `\n`, `\r\n` or `\r`; lines starting with `:`
/// are comments (servers send them as keep-alive pings); one optional space after the field's colon
/// is dropped; several `data:` lines join with `\n`; a blank line dispatches the event, and an event
/// with no data is not dispatched. `id:` and `retry:` are ignored because Panel never reconnects.
///
/// One deliberate leniency: `finish()` dispatches an event the server did not close with a blank line,
/// since some servers end the stream right after their last `data:` line.
public struct SSEParser: Sendable {
    private var lines = LineSplitter(breaksOnCarriageReturn: true)
    private var eventType: String?
    private var dataLines: [String] = []
    private var isFirstLine = true

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Consumes the next chunk of the body and returns the events it completed.
    public mutating func feed(_ chunk: Data) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for line in lines.feed(chunk) {
            if let event = process(line) { events.append(event) }
        }
        return events
    }

    /// Ends the stream, returning the last event if the server did not terminate it with a blank line.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if let line = lines.finish(), let event = process(line) { events.append(event) }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func process(_ bytes: [UInt8]) -> SSEEvent? {
        var line = String(decoding: bytes, as: UTF8.self)
        if isFirstLine {
            isFirstLine = false
            if line.hasPrefix("\u{FEFF}") { line.removeFirst() }
        }
        if line.isEmpty { return dispatch() }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": eventType = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = nil
            dataLines = []
        }
        guard !dataLines.isEmpty else { return nil }
        return SSEEvent(event: eventType.flatMap { $0.isEmpty ? nil : $0 }, data: dataLines.joined(separator: "\n"))
    }
}
