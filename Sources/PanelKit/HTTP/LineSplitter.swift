import Foundation

/// Cuts a byte stream that arrives in arbitrary chunks into lines.
///
/// Lines are returned as bytes, not strings, so that a multi-byte UTF-8 character split across two
/// chunks is only decoded once both halves are present. A `\r\n` pair is one line break even when the
/// chunk boundary falls between the two bytes.
public struct LineSplitter: Sendable {
    /// Whether a lone `\r` also ends a line, as the server-sent events format requires; NDJSON breaks
    /// only at `\n` (with an optional `\r` before it).
    public let breaksOnCarriageReturn: Bool

    private var pending: [UInt8] = []
    /// Set after a `\r` that ended a line, so that a `\n` arriving in the next chunk is not taken
    /// for a second, empty line.
    private var skipNextLineFeed = false

    /// Creates a splitter.
    public init(breaksOnCarriageReturn: Bool = false) {
        self.breaksOnCarriageReturn = breaksOnCarriageReturn
    }

    /// Returns the lines completed by `chunk`, without their line breaks; an unfinished last line is kept for later.
    public mutating func feed(_ chunk: Data) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var index = 0
            if skipNextLineFeed, !bytes.isEmpty {
                skipNextLineFeed = false
                if bytes[0] == UInt8(ascii: "\n") {
                    start = 1
                    index = 1
                }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\n") {
                    lines.append(take(bytes[start..<index], strippingCarriageReturn: true))
                    start = index + 1
                } else if byte == UInt8(ascii: "\r") && breaksOnCarriageReturn {
                    lines.append(take(bytes[start..<index], strippingCarriageReturn: false))
                    if index + 1 < bytes.count {
                        if bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                    } else {
                        skipNextLineFeed = true
                    }
                    start = index + 1
                }
                index += 1
            }
            pending.append(contentsOf: bytes[start..<bytes.count])
        }
        return lines
    }

    /// Returns the unfinished last line, if the stream ended without a final line break.
    public mutating func finish() -> [UInt8]? {
        skipNextLineFeed = false
        defer { pending = [] }
        if !breaksOnCarriageReturn, pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        return pending.isEmpty ? nil : pending
    }

    private mutating func take(_ tail: Slice<UnsafeBufferPointer<UInt8>>, strippingCarriageReturn: Bool) -> [UInt8] {
        var line = pending
        pending = []
        line.append(contentsOf: tail)
        if strippingCarriageReturn, line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }
}
