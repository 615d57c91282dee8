import Foundation

/// The process's standard error, where diagnostics and progress go.
///
/// Also a `TextOutputStream`, so `print(…, to: &errors)` works. `fputs(…, stderr)` does not compile in
/// Swift 6 because `stderr` is a mutable global.
public struct StandardError: TextOutput, TextOutputStream {
    /// Creates a writer for standard error.
    public init() {}

    /// Writes `text`, silently dropping it if standard error is closed.
    public func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}
