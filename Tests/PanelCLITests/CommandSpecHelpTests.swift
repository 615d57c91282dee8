import Testing

@testable import PanelCLI

@Suite struct CommandSpecHelpTests {
    static let ask = CommandSpec(
        name: "ask",
        abstract: "Ask the selected experts and combine their answers.",
        discussion: "Each expert answers independently; the answers are then merged.",
        arguments: [.init("prompt", help: "The question. Use - to read it from standard input.")],
        options: [
            .option("-p", "--pool", value: "file", help: "The pool file.", defaultValue: "pool.json"),
            .option("-m", "--model", value: "name", help: "Ask only this model.", isRepeatable: true),
            .option("--ensemble-strategy-with-long-name", value: "strategy", help: "How to combine answers."),
            .flag("--json", help: "Print the answers as JSON."),
        ],
        examples: [.init("panel ask 'What is 2+2?'", explanation: "Ask every expert:")])

    @Test func sectionsInOrder() {
        let text = Self.ask.helpText(commandPath: "panel ask")
        let headings = text.split(separator: "\n").filter { $0.last == ":" && $0.first != " " }
        #expect(headings == ["ARGUMENTS:", "OPTIONS:", "EXAMPLES:"])
        #expect(text.hasPrefix("OVERVIEW: Ask the selected experts and combine their answers.\n\nEach expert"))
        #expect(text.contains("\n\nUSAGE: panel ask [<options>] <prompt>\n\n"))
        #expect(text.hasSuffix("    panel ask 'What is 2+2?'\n"))
    }

    @Test func twoColumnsAligned() {
        let lines = Self.ask.helpText(commandPath: "panel ask").split(separator: "\n").map(String.init)
        let expected = [
            "  <prompt>                The question. Use - to read it from standard input.",
            "  -p, --pool <file>       The pool file. (default: pool.json)",
            "  -m, --model <name>      Ask only this model. (can be repeated)",
            "  --ensemble-strategy-with-long-name <strategy>",
            "                          How to combine answers.",
            "  --json                  Print the answers as JSON.",
            "  -h, --help              Show help information.",
        ]
        for line in expected {
            #expect(lines.contains(line), "missing line: \(line)")
        }
    }

    @Test func columnShrinksToShortLabels() {
        let spec = CommandSpec(name: "down", abstract: "Stop.", options: [.flag("--all", help: "Everything.")])
        let text = spec.helpText(commandPath: "panel pool down")
        #expect(text.contains("\n  --all       Everything.\n"))
        #expect(text.contains("\n  -h, --help  Show help information.\n"))
    }

    @Test func longDescriptionsWrapAtTheColumn() {
        let words = Array(repeating: "word", count: 40).joined(separator: " ")
        let spec = CommandSpec(name: "x", abstract: "X.", options: [.flag("--long", help: words)])
        let lines = spec.helpText(commandPath: "panel x", width: 60).split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 60 })
        let wrapped = lines.filter { $0.hasPrefix("              word") }
        #expect(wrapped.count > 2)
    }

    @Test func groupListsSubcommandsAndPointsAtTheirHelp() {
        let pool = CommandSpec(
            name: "pool", abstract: "Manage model servers.",
            subcommands: [
                CommandSpec(name: "check", abstract: "Check the servers."),
                CommandSpec(name: "up", abstract: "Start the servers."),
            ])
        let text = pool.helpText(commandPath: "panel pool")
        #expect(text.contains("USAGE: panel pool <subcommand>\n"))
        #expect(text.contains("SUBCOMMANDS:\n  check       Check the servers.\n  up          Start the servers.\n"))
        #expect(text.hasSuffix("\n\n  See 'panel pool <subcommand> --help' for detailed help.\n"))
    }

    @Test func requiredOptionsAppearInUsage() {
        let spec = CommandSpec(
            name: "evaluate", abstract: "Score.",
            options: [.option("--tasks", value: "file", help: "Tasks.", isRequired: true), .flag("--json", help: "JSON.")])
        #expect(spec.helpText(commandPath: "panel evaluate").contains("USAGE: panel evaluate --tasks <file> [<options>]\n"))
    }

    @Test func optionNamesIncludeHelp() {
        #expect(Self.ask.optionNames.contains("--pool"))
        #expect(Self.ask.optionNames.suffix(2) == ["-h", "--help"])
    }
}
