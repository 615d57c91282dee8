import Foundation

/// The command's connection to the user: where results and diagnostics go, and whether each
/// stream is a terminal that deserves colour and a redrawn progress line.
///
/// Results go to ``standardOutput`` and everything else (errors, warnings, progress) to
/// ``standardError``, so `panel … > out.json` captures only results.
public struct Console: Sendable {
    /// Where results go.
    public var standardOutput: any TextOutput
    /// Where diagnostics and progress go.
    public var standardError: any TextOutput
    /// Styling for text written to standard output.
    public var outputStyle: TerminalStyle
    /// Styling for text written to standard error.
    public var errorStyle: TerminalStyle
    /// How progress reporters made through ``makeProgress(label:total:unit:)`` show progress.
    public var progressMode: ProgressReporter.Mode

    /// Creates a console over arbitrary writers; plain and silent by default, as tests want.
    public init(
        standardOutput: any TextOutput,
        standardError: any TextOutput,
        outputStyle: TerminalStyle = .plain,
        errorStyle: TerminalStyle = .plain,
        progressMode: ProgressReporter.Mode = .silent
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputStyle = outputStyle
        self.errorStyle = errorStyle
        self.progressMode = progressMode
    }

    /// The process's real streams, with colour and progress mode chosen from whether each is a
    /// terminal, `TERM` and `NO_COLOR`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> Console {
        let colors = Terminal.allowsColor(environment: environment)
        let outputIsTerminal = Terminal.isTerminal(fileDescriptor: STDOUT_FILENO, environment: environment)
        let errorIsTerminal = Terminal.isTerminal(fileDescriptor: STDERR_FILENO, environment: environment)
        return Console(
            standardOutput: StandardOutput(),
            standardError: StandardError(),
            outputStyle: TerminalStyle(isEnabled: outputIsTerminal && colors),
            errorStyle: TerminalStyle(isEnabled: errorIsTerminal && colors),
            progressMode: .automatic(for: STDERR_FILENO, environment: environment))
    }

    /// Writes `line` and a newline to standard output.
    public func print(_ line: String) {
        standardOutput.writeLine(line)
    }

    /// Writes `warning: <message>` to standard error.
    public func warn(_ message: String) {
        standardError.writeLine(errorStyle.yellow(errorStyle.bold("warning:")) + " " + message)
    }

    /// Writes `error: <message>` to standard error.
    public func reportError(_ message: String) {
        standardError.writeLine(errorStyle.red(errorStyle.bold("error:")) + " " + message)
    }

    /// A progress reporter on standard error in this console's progress mode.
    public func makeProgress(label: String, total: Int, unit: String = "items") -> ProgressReporter {
        ProgressReporter(label: label, total: total, unit: unit, mode: progressMode, output: standardError)
    }
}
