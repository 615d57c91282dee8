/// A command that does work, such as `panel pool check`: its description, its parsing and its run.
///
/// Parsing is a pure initializer so it can be unit-tested without running anything; `run` gets
/// everything else it needs through the ``CommandContext``. Add the type to the command table in
/// ``PanelCommand`` to make it reachable.
///
/// ```swift
/// struct PoolCheck: Subcommand {
///     static let spec = CommandSpec(
///         name: "check", abstract: "Check that every server in the pool answers.",
///         options: [.option("--pool", value: "file", help: "The pool file.", defaultValue: "pool.json"),
///                   .flag("--json", help: "Print the result as JSON.")])
///
///     var pool = "pool.json"
///     var json = false
///
///     init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
///         while let option = try cursor.nextOption() {
///             switch option {
///             case "--pool": pool = try cursor.value(for: option)
///             case "--json": json = true
///             default: throw .unknownOption(option)
///             }
///         }
///     }
///
///     func run(_ context: CommandContext) async throws -> ExitCode {
///         context.console.print("ok")
///         return .success
///     }
/// }
/// ```
public protocol Subcommand: Sendable {
    /// The command's name, options and help.
    static var spec: CommandSpec { get }

    /// Parses the arguments that follow the command's name.
    ///
    /// `-h`/`--help` never reach it. Anything left unread when it returns (options after an early
    /// return, positionals not taken) is reported by the dispatcher as a usage error.
    init(parsing arguments: inout ArgumentCursor) throws(UsageError)

    /// Does the work and returns the exit status.
    ///
    /// Throw to fail: the dispatcher prints `error: <description>` and picks the status with
    /// ``ExitCode/init(for:)``. On Ctrl-C the task running this is cancelled; stop soon after, and the
    /// dispatcher exits with 130.
    func run(_ context: CommandContext) async throws -> ExitCode
}
