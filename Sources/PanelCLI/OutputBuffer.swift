import Synchronization

/// Collects written text in memory, for tests and for output that is assembled before it is shown.
///
/// A class because writers share one buffer by reference: the console and a progress reporter
/// handed the same buffer must append to the same text.
public final class OutputBuffer: TextOutput {
    private let storage = Mutex("")

    /// Creates an empty buffer.
    public init() {}

    /// Everything written so far.
    public var text: String {
        storage.withLock { $0 }
    }

    /// The text split into lines, without the empty string after a final newline.
    public var lines: [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Appends `text`.
    public func write(_ text: String) {
        storage.withLock { $0 += text }
    }

    /// Empties the buffer.
    public func removeAll() {
        storage.withLock { $0 = "" }
    }
}
