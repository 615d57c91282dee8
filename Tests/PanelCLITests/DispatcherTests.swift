import Foundation
import PanelKit
import Testing

@testable import PanelCLI

/// `pool check` stand-in: echoes its parsed options so tests can see what arrived.
private struct Check: Subcommand {
    static let spec = CommandSpec(
        name: "check", abstract: "Check the servers.",
        options: [
            .option("--pool", value: "file", help: "The pool file.", defaultValue: "pool.json"),
            .flag("--json", help: "Print JSON."),
        ])

    var pool = "pool.json"
    var json = false

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        while let option = try cursor.nextOption() {
            switch option {
            case "--pool": pool = try cursor.value(for: option)
            case "--json": json = true
            default: throw .unknownOption(option)
            }
        }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        context.console.print("\(context.commandPath): pool=\(pool) json=\(json)")
        return .success
    }
}

/// A command with no parsing code: the dispatcher must reject anything given to it.
private struct Down: Subcommand {
    static let spec = CommandSpec(name: "down", abstract: "Stop the servers.")
    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {}
    func run(_ context: CommandContext) async throws -> ExitCode { .success }
}

/// Fails in the way its argument names, to exercise the error-to-status mapping.
private struct Fail: Subcommand {
    static let spec = CommandSpec(
        name: "fail", abstract: "Fail on purpose.", arguments: [.init("kind", help: "How to fail.")])

    var kind: String

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        while let option = try cursor.nextOption() { throw .unknownOption(option) }
        kind = try cursor.nextPositional(named: "kind")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        switch kind {
        case "data": throw DataFileError(file: "pool.json", line: 3, field: "url", message: "not a URL")
        case "missing": throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: "tasks.jsonl"])
        case "usage": throw UsageError.conflictingOptions("--a", "--b")
        case "cancel": throw CancellationError()
        case "status": return ExitCode(3)
        default: throw Failure()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the server said no" }
    }
}

/// Waits until cancelled, to check that cancelling the caller reaches the command.
private struct Wait: Subcommand {
    static let spec = CommandSpec(name: "wait", abstract: "Wait forever.")
    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {}
    func run(_ context: CommandContext) async throws -> ExitCode {
        try await Task.sleep(for: .seconds(60))
        return .success
    }
}

/// The outcome of one invocation.
private struct Outcome {
    var code: ExitCode
    var output: String
    var errors: String
}

private func run(_ arguments: [String]) async -> Outcome {
    let dispatcher = Dispatcher(
        root: .group(
            PanelCommand.spec,
            [
                .group(CommandSpec(name: "pool", abstract: "Manage model servers."), [.command(Check.self), .command(Down.self)]),
                .command(Fail.self),
                .command(Wait.self),
            ]),
        version: "9.9.9",
        handlesSignals: false)
    let output = OutputBuffer()
    let errors = OutputBuffer()
    let code = await dispatcher.run(
        arguments, console: Console(standardOutput: output, standardError: errors), environment: [:])
    return Outcome(code: code, output: output.text, errors: errors.text)
}

@Suite struct DispatcherTests {
    @Test func runsNestedCommandWithOptions() async {
        let outcome = await run(["pool", "check", "--pool=p.json", "--json"])
        #expect(outcome.code == .success)
        #expect(outcome.output == "panel pool check: pool=p.json json=true\n")
        #expect(outcome.errors.isEmpty)
    }

    @Test func noArgumentsPrintsTopLevelHelp() async {
        let outcome = await run([])
        #expect(outcome.code == .success)
        #expect(outcome.output.hasPrefix("OVERVIEW: "))
        #expect(outcome.output.contains("USAGE: panel <subcommand>\n"))
        #expect(outcome.output.contains("\n  pool        Manage model servers.\n"))
        #expect(outcome.output.contains("EXIT CODES:\n"))
        #expect(outcome.errors.isEmpty)
    }

    @Test func helpAtEveryLevelGoesToStandardOutput() async {
        for arguments in [["--help"], ["-h"], ["pool", "-h"], ["pool"], ["help", "pool"]] {
            let outcome = await run(arguments)
            #expect(outcome.code == .success, "\(arguments)")
            #expect(outcome.errors.isEmpty, "\(arguments)")
        }
        #expect(await run(["pool", "--help"]).output.contains("USAGE: panel pool <subcommand>"))
        let leaf = await run(["pool", "check", "--pool", "x", "--help"])
        #expect(leaf.code == .success)
        #expect(leaf.output.contains("USAGE: panel pool check [<options>]\n"))
        #expect(leaf.output.contains("  --pool <file>  The pool file. (default: pool.json)\n"))
        #expect(await run(["help", "pool", "check"]).output == leaf.output)
    }

    @Test func helpAfterTerminatorIsAnArgument() async {
        let outcome = await run(["fail", "--", "-h"])
        #expect(outcome.code == .failure)
    }

    @Test func version() async {
        let outcome = await run(["--version"])
        #expect(outcome.code == .success)
        #expect(outcome.output == "9.9.9\n")
    }

    @Test func unknownCommandSuggestsTheClosest() async {
        let outcome = await run(["pool", "chek"])
        #expect(outcome.code == .usage)
        #expect(outcome.output.isEmpty)
        #expect(
            outcome.errors
                == "error: unknown command 'chek'; did you mean 'check'? (see 'panel pool --help')\n")
    }

    @Test func unknownOptionSuggestsFromTheSpec() async {
        let outcome = await run(["pool", "check", "--pol", "x"])
        #expect(outcome.code == .usage)
        #expect(
            outcome.errors
                == "error: unknown option '--pol'; did you mean '--pool'? (see 'panel pool check --help')\n")
    }

    @Test func unknownTopLevelOption() async {
        let outcome = await run(["--verison"])
        #expect(outcome.code == .usage)
        #expect(outcome.errors.hasPrefix("error: unknown option '--verison'; did you mean '--version'? (see 'panel --help')\n"))
    }

    @Test func usageErrorsExitWith64() async {
        #expect(await run(["pool", "check", "--pool"]).code == .usage)
        #expect(await run(["pool", "check", "--json=yes"]).code == .usage)
        #expect(await run(["pool", "check", "extra"]).errors == ("error: unexpected argument 'extra' (see 'panel pool check --help')\n"))
        #expect(await run(["pool", "down", "--all"]).errors == ("error: unknown option '--all' (see 'panel pool down --help')\n"))
        #expect(await run(["fail"]).errors == ("error: missing required argument '<kind>' (see 'panel fail --help')\n"))
        #expect(await run(["frobnicate"]).code == .usage)
    }

    @Test func errorsMapToExitCodes() async {
        let data = await run(["fail", "data"])
        #expect(data.code == .dataError)
        #expect(data.errors == "error: pool.json:3: url: not a URL\n")

        let missing = await run(["fail", "missing"])
        #expect(missing.code == .noInput)
        #expect(missing.errors == "error: no such file 'tasks.jsonl'\n")

        let usage = await run(["fail", "usage"])
        #expect(usage.code == .usage)
        #expect(usage.errors.hasSuffix(" (see 'panel fail --help')\n"))

        let generic = await run(["fail", "other"])
        #expect(generic.code == .failure)
        #expect(generic.errors == "error: the server said no\n")

        #expect(await run(["fail", "cancel"]).code == .interrupted)
        #expect(await run(["fail", "status"]).code == ExitCode(3))
    }

    @Test func exitCodeHookCanBeOverridden() async {
        var dispatcher = Dispatcher(root: .group(PanelCommand.spec, [.command(Fail.self)]), version: "", handlesSignals: false)
        dispatcher.exitCode = { error in error is Fail.Failure ? ExitCode(42) : ExitCode(for: error) }
        let console = Console(standardOutput: OutputBuffer(), standardError: OutputBuffer())
        #expect(await dispatcher.run(["fail", "other"], console: console) == ExitCode(42))
        #expect(await dispatcher.run(["fail", "data"], console: console) == .dataError)
    }

    @Test func cancellingTheCallerCancelsTheCommand() async {
        let task = Task { await run(["wait"]) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let outcome = await task.value
        #expect(outcome.code == .interrupted)
    }

    @Test func panelCommandTableIsWellFormed() async {
        #expect(PanelCommand.spec.name == "panel")
        let names = PanelCommand.commands.map(\.name)
        #expect(Set(names).count == names.count)
    }
}
