/// Reads a GGUF header front to back through a 1 MiB window, so opening a multi-gigabyte model reads only its
/// metadata and tensor table, never the weights.
///
/// Every read names what it is reading, so a short file yields an error such as "ends before the name of tensor 3".
struct GGUFByteReader {
    private static let windowSize = 1 << 20

    let file: ReadOnlyFile
    /// The absolute offset of the next byte to read.
    private(set) var position: UInt64 = 0
    private var window: [UInt8] = []
    private var windowStart: UInt64 = 0

    init(file: ReadOnlyFile) {
        self.file = file
    }

    var path: String { file.path }

    /// Bytes left between the position and the end of the file.
    var remaining: UInt64 { file.size > position ? file.size - position : 0 }

    /// The next `count` bytes, or `.truncated` naming `what` if the file ends first.
    mutating func bytes(_ count: Int, reading what: @autoclosure () -> String) throws(GGUFError) -> ArraySlice<UInt8> {
        guard UInt64(count) <= remaining else {
            throw .truncated(path: path, offset: position, reading: what())
        }
        let windowEnd = windowStart + UInt64(window.count)
        if position < windowStart || position + UInt64(count) > windowEnd {
            do {
                window = try file.read(count: max(count, Self.windowSize), at: position)
            } catch {
                throw Self.convert(error)
            }
            windowStart = position
            guard window.count >= count else {
                throw .truncated(path: path, offset: position, reading: what())
            }
        }
        let start = Int(position - windowStart)
        position += UInt64(count)
        return window[start..<start + count]
    }

    /// Moves past `count` bytes without reading them.
    mutating func skip(_ count: UInt64, reading what: @autoclosure () -> String) throws(GGUFError) {
        guard count <= remaining else {
            throw .truncated(path: path, offset: position, reading: what())
        }
        position += count
    }

    /// A little-endian unsigned integer of `byteCount` bytes.
    mutating func unsigned(_ byteCount: Int, reading what: @autoclosure () -> String) throws(GGUFError) -> UInt64 {
        let slice = try bytes(byteCount, reading: what())
        var value: UInt64 = 0
        for (shift, byte) in slice.enumerated() {
            value |= UInt64(byte) << UInt64(8 * shift)
        }
        return value
    }

    mutating func uint32(reading what: @autoclosure () -> String) throws(GGUFError) -> UInt32 {
        UInt32(truncatingIfNeeded: try unsigned(4, reading: what()))
    }

    mutating func uint64(reading what: @autoclosure () -> String) throws(GGUFError) -> UInt64 {
        try unsigned(8, reading: what())
    }

    /// A GGUF string: a 64-bit length, then that many UTF-8 bytes.
    mutating func string(reading what: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try uint64(reading: "length of the \(what())")
        guard length <= remaining else {
            throw .truncated(path: path, offset: position, reading: what())
        }
        return String(decoding: try bytes(Int(length), reading: what()), as: UTF8.self)
    }

    static func convert(_ error: FileReadError) -> GGUFError {
        switch error {
        case .cannotOpen(let path, let reason): .cannotOpen(path: path, reason: reason)
        case .readFailed(let path, let reason): .readFailed(path: path, reason: reason)
        }
    }
}
