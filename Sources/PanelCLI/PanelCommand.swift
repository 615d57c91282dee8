import Foundation
import PanelKit

/// The `panel` command: its command table and entry point.
///
/// To add a subcommand, write a type conforming to ``Subcommand`` in its own file and list it in
/// ``commands``; nested commands go inside a `.group`, e.g.
/// `.group(CommandSpec(name: "pool", abstract: "Manage the model servers."), [.command(PoolCheck.self)])`.
public enum PanelCommand {
    /// The version `panel --version` prints.
    public static let version = "0.1.0"

    /// The subcommands, in the order the top-level help lists them.
    public static let commands: [CommandNode] = [
        .group(
            CommandSpec(name: "pool", abstract: "Manage and probe the pool's model servers."),
            [.command(PoolCheck.self), .command(PoolUp.self), .command(PoolDown.self)]),
        .command(SelectExperts.self),
        .command(Ask.self),
        .command(Evaluate.self),
        .group(
            CommandSpec(name: "runs", abstract: "Past evaluation runs in the store."),
            [.command(RunsList.self), .command(RunsShow.self)]),
    ]

    /// The top-level description; its exit-code section documents ``ExitCode``.
    public static let spec = CommandSpec(
        name: "panel",
        abstract: "Ensemble local LLMs: manage a pool of model servers, pick experts and ask them together.",
        options: [.flag("--version", help: "Show the version.")],
        sections: [
            CommandSpec.Section(
                title: "EXIT CODES",
                entries: [
                    .init("0", help: "Success."),
                    .init("1", help: "The work failed."),
                    .init("64", help: "Usage error: unknown command or option, or a bad value."),
                    .init("65", help: "Malformed input file."),
                    .init("66", help: "Input file not found."),
                    .init("130", help: "Interrupted (Ctrl-C); finished items stay in the store."),
                    .init("143", help: "Stopped by SIGTERM; finished items stay in the store."),
                ])
        ])

    /// The dispatcher over ``commands``.
    public static var dispatcher: Dispatcher {
        Dispatcher(root: .group(spec, commands), version: version)
    }

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) async -> Int32 {
        await dispatcher.run(arguments, console: .standard()).rawValue
    }
}
