/// ANSI styling that disappears when it is disabled, so callers style unconditionally and the
/// console decides once whether escape codes reach the output.
public struct TerminalStyle: Sendable, Equatable {
    /// Whether escape codes are emitted.
    public var isEnabled: Bool

    /// Creates a style that emits escape codes only if `isEnabled`.
    public init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// No escape codes: for pipes, files, `NO_COLOR` and tests.
    public static let plain = TerminalStyle(isEnabled: false)
    /// Escape codes on.
    public static let ansi = TerminalStyle(isEnabled: true)

    /// `text` in bold, for headings and emphasis.
    public func bold(_ text: String) -> String { apply("1", to: text) }
    /// `text` dimmed, for secondary details.
    public func dim(_ text: String) -> String { apply("2", to: text) }
    /// `text` in red, for errors and failures.
    public func red(_ text: String) -> String { apply("31", to: text) }
    /// `text` in green, for success.
    public func green(_ text: String) -> String { apply("32", to: text) }
    /// `text` in yellow, for warnings.
    public func yellow(_ text: String) -> String { apply("33", to: text) }

    private func apply(_ code: String, to text: String) -> String {
        isEnabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
