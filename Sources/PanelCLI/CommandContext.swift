import Foundation

/// What a running command may use from its surroundings, passed in so tests can substitute each part.
public struct CommandContext: Sendable {
    /// Output streams, styling and progress mode.
    public var console: Console
    /// The environment variables, e.g. for `PANEL_HOME`.
    public var environment: [String: String]
    /// How the command was invoked, e.g. `panel pool check`, for messages that point at it.
    public var commandPath: String

    /// Creates a context.
    public init(
        console: Console,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        commandPath: String = "panel"
    ) {
        self.console = console
        self.environment = environment
        self.commandPath = commandPath
    }
}
