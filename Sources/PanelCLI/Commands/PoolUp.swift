import Foundation
import PanelKit

/// `panel pool up`: starts a llama-server for every candidate with a `launch` section.
struct PoolUp: Subcommand {
    static let spec = CommandSpec(
        name: "up",
        abstract: "Start a local llama-server for each candidate of the pool that has a 'launch' section.",
        discussion: """
            Servers run detached on loopback, one per URL, with pid and log files in the run folder; \
            the command returns once every server answers /health. Servers already running are left alone.
            """,
        arguments: [.init("pool-file", help: "The pool file (same as --pool).", isOptional: true)],
        options: [
            CommandSupport.poolOption,
            .option("--run-dir", value: "dir", help: "Where pid and log files go.", defaultValue: ".panel/run"),
            .option("--server", value: "path", help: "The llama-server executable. (default: $PANEL_LLAMA_SERVER, else .venv/bin/llama-server)"),
        ])

    var pool = "pools/local.json"
    var runDirectory = ".panel/run"
    var server: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var explicitPool: String?
        while let option = try cursor.nextOption() {
            switch option {
            case "--pool": explicitPool = try cursor.value(for: option)
            case "--run-dir": runDirectory = try cursor.value(for: option)
            case "--server": server = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        pool = try CommandSupport.poolPath(option: explicitPool, cursor: &cursor)
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let pool = try PoolLoader.load(path: self.pool)
        let plans = try ServerLauncher.plans(for: pool)
        guard !plans.isEmpty else {
            context.console.warn("no candidate of \(pool.path) has a 'launch' section: nothing to start")
            return .success
        }
        let launcher = ServerLauncher(runDirectory: runDirectory, executable: server)
        let console = context.console
        console.standardError.writeLine("starting \(plans.count) llama-server(s) for \(pool.path)…")
        _ = try await launcher.start(plans, transport: CommandSupport.transport()) { plan, outcome in
            switch outcome {
            case .started(let pid, let seconds):
                console.standardError.writeLine(
                    "  \(plan.name): ready at \(plan.url) (pid \(pid), \(CommandSupport.format(seconds, digits: 1)) s, log \(launcher.logFile(plan)))")
            case .alreadyRunning(let pid):
                console.standardError.writeLine("  \(plan.name): already running at \(plan.url) (pid \(pid))")
            default: break
            }
        }
        return .success
    }
}
