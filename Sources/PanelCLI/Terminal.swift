import Foundation

/// Questions about whether output goes to a person at a terminal, which decide between redrawn
/// progress lines and colours on one hand and plain, log-friendly text on the other.
public enum Terminal {
    /// Whether `fileDescriptor` is a terminal that understands control sequences: `isatty` and `TERM`
    /// is not `dumb` (as in Emacs shells), following swift-format's TTY check.
    public static func isTerminal(
        fileDescriptor: Int32,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        isatty(fileDescriptor) != 0 && environment["TERM"] != "dumb"
    }

    /// Whether colours are welcome: `NO_COLOR` (no-color.org) unset or empty.
    public static func allowsColor(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["NO_COLOR", default: ""].isEmpty
    }

    /// The terminal's width in columns: `COLUMNS` if set to a positive number, else the kernel's
    /// window size for `fileDescriptor`, else `nil` (not a terminal).
    public static func columns(
        fileDescriptor: Int32,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Int? {
        if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 {
            return columns
        }
        var size = winsize()
        guard ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
