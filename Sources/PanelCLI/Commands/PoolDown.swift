import Foundation
import PanelKit

/// `panel pool down`: stops the servers `panel pool up` started.
struct PoolDown: Subcommand {
    static let spec = CommandSpec(
        name: "down",
        abstract: "Stop the llama-servers that 'panel pool up' started for the pool.",
        arguments: [.init("pool-file", help: "The pool file (same as --pool).", isOptional: true)],
        options: [
            CommandSupport.poolOption,
            .option("--run-dir", value: "dir", help: "Where pid and log files are.", defaultValue: ".panel/run"),
        ])

    var pool = "pools/local.json"
    var runDirectory = ".panel/run"

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var explicitPool: String?
        while let option = try cursor.nextOption() {
            switch option {
            case "--pool": explicitPool = try cursor.value(for: option)
            case "--run-dir": runDirectory = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        pool = try CommandSupport.poolPath(option: explicitPool, cursor: &cursor)
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let pool = try PoolLoader.load(path: self.pool)
        let plans = try ServerLauncher.plans(for: pool)
        let outcomes = await ServerLauncher(runDirectory: runDirectory).stop(plans)
        for (plan, outcome) in zip(plans, outcomes) {
            switch outcome {
            case .stopped(let pid): context.console.standardError.writeLine("  \(plan.name): stopped (pid \(pid))")
            default: context.console.standardError.writeLine("  \(plan.name): not running")
            }
        }
        return .success
    }
}
