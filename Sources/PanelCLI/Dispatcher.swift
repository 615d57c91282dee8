import Foundation

/// Routes a command line through the command table to a ``Subcommand``, runs it, and turns every
/// outcome into an exit status and a message.
///
/// - `-h`/`--help` at any level, `panel help <command>…`, and a group named without a subcommand print
///   that level's help to standard output and succeed.
/// - `--version` at the top level prints ``version``.
/// - A ``UsageError`` prints `error: <message> (see '<command> --help')` on one line of standard
///   error and exits with 64.
/// - Any other error prints `error: <description>` and exits with ``exitCode``'s status for it.
/// - SIGINT/SIGTERM cancel the running command, which then exits with 130 or 143 (128 + the signal).
public struct Dispatcher: Sendable {
    /// The top-level group; its name (`panel`) starts every command path.
    public var root: CommandNode
    /// What `--version` prints.
    public var version: String
    /// Whether to trap SIGINT/SIGTERM while a command runs; tests turn it off to leave the test
    /// runner's signal handling alone.
    public var handlesSignals: Bool
    /// Maps an error thrown by a command to the exit status; override in tests or wrappers.
    public var exitCode: @Sendable (any Error) -> ExitCode
    /// Turns an error into the message after `error: `.
    public var describe: @Sendable (any Error) -> String

    /// Creates a dispatcher over a command table.
    public init(
        root: CommandNode,
        version: String,
        handlesSignals: Bool = true,
        exitCode: @escaping @Sendable (any Error) -> ExitCode = ExitCode.init(for:),
        describe: @escaping @Sendable (any Error) -> String = Dispatcher.message(for:)
    ) {
        self.root = root
        self.version = version
        self.handlesSignals = handlesSignals
        self.exitCode = exitCode
        self.describe = describe
    }

    /// Runs `arguments` (without the program name) and returns the exit status.
    public func run(
        _ arguments: [String],
        console: Console,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> ExitCode {
        var node = root
        var path = [root.name]
        var rest = arguments[...]

        if rest.first == "help", root.child(named: "help") == nil {
            rest.removeFirst()
            for word in rest {
                guard let child = node.child(named: word) else {
                    let error = UsageError.unknownCommand(word, suggestion: suggestion(for: word, in: node))
                    return reportUsage(error, path, console)
                }
                node = child
                path.append(word)
            }
            return printHelp(node, path, console)
        }

        while case .group(let spec, _) = node {
            guard let word = rest.popFirst() else {
                return printHelp(node, path, console)
            }
            if word == "-h" || word == "--help" {
                return printHelp(node, path, console)
            }
            if word == "--version", path.count == 1 {
                console.print(version)
                return .success
            }
            if ArgumentCursor.isOption(word) {
                let longNames = spec.optionNames.filter { $0.hasPrefix("--") }
                let closest = SpellingSuggestion.closest(to: word, among: longNames)
                return reportUsage(.unknownOption(word, suggestion: closest), path, console)
            }
            guard let child = node.child(named: word) else {
                let error = UsageError.unknownCommand(word, suggestion: suggestion(for: word, in: node))
                return reportUsage(error, path, console)
            }
            node = child
            path.append(word)
        }

        guard case .command(let type) = node else { return .failure }
        let arguments = Array(rest)
        if Self.requestsHelp(arguments) {
            return printHelp(node, path, console)
        }
        let command: any Subcommand
        do {
            var cursor = ArgumentCursor(arguments)
            command = try type.init(parsing: &cursor)
            try cursor.verifyFullyConsumed()
        } catch {
            return reportUsage(error.addingSuggestion(from: type.spec), path, console)
        }
        let context = CommandContext(
            console: console, environment: environment, commandPath: path.joined(separator: " "))
        return await execute(command, context)
    }

    private func execute(_ command: any Subcommand, _ context: CommandContext) async -> ExitCode {
        let task = Task { try await command.run(context) }
        let trap = handlesSignals ? SignalTrap.cancelling(task) : nil
        defer { trap?.remove() }
        // The command runs in its own task so a signal can cancel it; pass our own cancellation on too.
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        let signal = trap?.firstSignal
        switch result {
        case .success(let code):
            return signal.map(ExitCode.interrupted(by:)) ?? code
        case .failure(let error):
            if let signal {
                context.console.reportError(signal == SIGTERM ? "stopped by SIGTERM" : "interrupted")
                return .interrupted(by: signal)
            }
            if let usage = error as? UsageError {
                return reportUsage(usage, context.commandPath.split(separator: " ").map(String.init), context.console)
            }
            context.console.reportError(describe(error))
            return exitCode(error)
        }
    }

    private func printHelp(_ node: CommandNode, _ path: [String], _ console: Console) -> ExitCode {
        console.standardOutput.write(node.spec.helpText(commandPath: path.joined(separator: " ")))
        return .success
    }

    private func reportUsage(_ error: UsageError, _ path: [String], _ console: Console) -> ExitCode {
        // One line, so scripts and logs keep the message and its remedy together.
        console.reportError("\(error.description) (see '\(path.joined(separator: " ")) --help')")
        return .usage
    }

    private func suggestion(for word: String, in node: CommandNode) -> String? {
        SpellingSuggestion.closest(to: word, among: node.childNames)
    }

    /// Whether `-h` or `--help` appears before any `--` terminator.
    static func requestsHelp(_ arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains { $0 == "-h" || $0 == "--help" }
    }

    /// The default message for an error: its `description` for Panel's own error types, a short
    /// `no such file` for Foundation's file-not-found, and the localized description otherwise.
    public static func message(for error: any Error) -> String {
        switch error {
        case let error as CocoaError where [.fileReadNoSuchFile, .fileNoSuchFile].contains(error.code):
            return error.filePath.map { "no such file '\($0)'" } ?? "no such file"
        case is CancellationError:
            return "cancelled"
        case let error as any CustomStringConvertible:
            return error.description
        case let error as any LocalizedError:
            return error.errorDescription ?? error.localizedDescription
        default:
            return String(describing: error)
        }
    }
}

extension UsageError {
    /// The error with a "did you mean" suggestion for an unknown option, chosen among `spec`'s
    /// long option names.
    func addingSuggestion(from spec: CommandSpec) -> UsageError {
        guard case .unknownOption(let name, nil) = self else { return self }
        let candidates = spec.optionNames.filter { $0.hasPrefix("--") }
        return .unknownOption(name, suggestion: SpellingSuggestion.closest(to: name, among: candidates))
    }
}
