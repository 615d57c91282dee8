import Foundation

/// The process's standard output, where results go.
///
/// Also a `TextOutputStream`, so `print(…, to: &output)` works.
public struct StandardOutput: TextOutput, TextOutputStream {
    /// Creates a writer for standard output.
    public init() {}

    /// Writes `text`, silently dropping it if the reader has gone away (e.g. `panel runs list | head`).
    public func write(_ text: String) {
        // `write(contentsOf:)` throws on EPIPE where the older `write(_:)` would trap.
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }
}
