/// Somewhere text can be written: standard output, standard error, or a buffer in tests.
///
/// Commands and the progress reporter write through this rather than to `FileHandle` directly so tests
/// can capture exactly what a user would see.
public protocol TextOutput: Sendable {
    /// Writes `text` as is; add the newline yourself.
    func write(_ text: String)
}

extension TextOutput {
    /// Writes `line` followed by a newline.
    public func writeLine(_ line: String) {
        write(line + "\n")
    }
}
