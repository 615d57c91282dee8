import Testing

@testable import PanelCLI

/// A typical option set, parsed the way a subcommand's `init(parsing:)` would.
private struct Parsed: Equatable {
    var models: [String] = []
    var parallel = 1
    var temperature = 0.7
    var json = false
    var format = "text"
    var tags: [String] = []
    var positionals: [String] = []

    init(_ arguments: [String]) throws(UsageError) {
        var cursor = ArgumentCursor(arguments)
        while let option = try cursor.nextOption() {
            switch option {
            case "-m", "--model": models.append(try cursor.value(for: option))
            case "-j", "--parallel": parallel = try cursor.positiveInt(for: option)
            case "-t", "--temperature": temperature = try cursor.double(for: option)
            case "--json": json = true
            case "--format": format = try cursor.choice(for: option, from: ["text", "json", "markdown"])
            case "--tags": tags = try cursor.list(for: option)
            default: throw .unknownOption(option)
            }
        }
        positionals = cursor.remainingPositionals()
    }
}

private enum Shape: String, CaseIterable {
    case circle, square
}

@Suite struct ArgumentCursorTests {
    @Test func valueAfterSpaceOrEquals() throws {
        let parsed = try Parsed(["--model", "a", "--model=b", "-m", "c", "-j", "3", "--parallel=4"])
        #expect(parsed.models == ["a", "b", "c"])
        #expect(parsed.parallel == 4)
    }

    @Test func valueMayContainEquals() throws {
        #expect(try Parsed(["--model=http://x/?a=b"]).models == ["http://x/?a=b"])
    }

    @Test func positionalsAreCollectedAroundOptions() throws {
        let parsed = try Parsed(["one", "--json", "two", "-m", "a", "three"])
        #expect(parsed.positionals == ["one", "two", "three"])
        #expect(parsed.json)
    }

    @Test func terminatorMakesTheRestPositional() throws {
        let parsed = try Parsed(["--json", "--", "--model", "-x", "--"])
        #expect(parsed.positionals == ["--model", "-x", "--"])
        #expect(parsed.models.isEmpty)
    }

    @Test func loneDashIsAValueAndAPositional() throws {
        #expect(try Parsed(["-m", "-"]).models == ["-"])
        #expect(try Parsed(["-"]).positionals == ["-"])
    }

    @Test func negativeNumbersAreValues() throws {
        #expect(try Parsed(["-t", "-0.5"]).temperature == -0.5)
        #expect(try Parsed(["-t", "-.5"]).temperature == -0.5)
    }

    @Test func missingValueAtEnd() {
        #expect(throws: UsageError.missingValue(option: "--model")) { try Parsed(["--model"]) }
    }

    @Test func optionIsNotTakenAsAValue() {
        #expect(throws: UsageError.missingValue(option: "-m")) { try Parsed(["-m", "--json"]) }
        #expect(throws: UsageError.missingValue(option: "-m")) { try Parsed(["-m", "--", "x"]) }
    }

    @Test func badInteger() {
        #expect(throws: UsageError.invalidValue(option: "-j", value: "x", expected: "an integer")) {
            var cursor = ArgumentCursor(["-j", "x"])
            _ = try cursor.nextOption()
            _ = try cursor.int(for: "-j")
        }
        #expect(throws: UsageError.invalidValue(option: "-j", value: "0", expected: "a positive integer")) {
            try Parsed(["-j", "0"])
        }
    }

    @Test func badNumber() {
        #expect(throws: UsageError.invalidValue(option: "--temperature", value: "nan", expected: "a number")) {
            try Parsed(["--temperature=nan"])
        }
    }

    @Test func numberInRange() throws {
        var cursor = ArgumentCursor(["-t", "2.5"])
        _ = try cursor.nextOption()
        #expect(throws: UsageError.invalidValue(option: "-t", value: "2.5", expected: "a number from 0 to 2")) {
            try cursor.double(for: "-t", in: 0...2)
        }
    }

    @Test func choiceFromList() throws {
        #expect(try Parsed(["--format", "json"]).format == "json")
        #expect(
            throws: UsageError.invalidValue(
                option: "--format", value: "xml", expected: "one of 'text', 'json', 'markdown'")
        ) { try Parsed(["--format", "xml"]) }
    }

    @Test func enumValue() throws {
        var cursor = ArgumentCursor(["--shape", "square", "--shape", "blob"])
        _ = try cursor.nextOption()
        #expect(try cursor.value(for: "--shape", as: Shape.self) == .square)
        _ = try cursor.nextOption()
        #expect(throws: UsageError.invalidValue(option: "--shape", value: "blob", expected: "one of 'circle', 'square'")) {
            try cursor.value(for: "--shape", as: Shape.self)
        }
    }

    @Test func commaSeparatedList() throws {
        #expect(try Parsed(["--tags", "a, b,,c "]).tags == ["a", "b", "c"])
        #expect(throws: UsageError.invalidValue(option: "--tags", value: " , ", expected: "a comma-separated list")) {
            try Parsed(["--tags", " , "])
        }
    }

    @Test func unknownOptionFallsToDefault() {
        #expect(throws: UsageError.unknownOption("--pol")) { try Parsed(["--pol", "x"]) }
    }

    @Test func flagGivenAValueIsRejected() {
        #expect(throws: UsageError.unexpectedValue(option: "--json", value: "yes")) { try Parsed(["--json=yes"]) }
        #expect(throws: UsageError.unexpectedValue(option: "--json", value: "")) { try Parsed(["x", "--json="]) }
    }

    @Test func positionalsAreTakenInOrder() throws {
        var cursor = ArgumentCursor(["a", "b"])
        #expect(try cursor.nextOption() == nil)
        #expect(try cursor.nextPositional(named: "first") == "a")
        #expect(try cursor.nextPositional(named: "second") == "b")
        #expect(throws: UsageError.missingArgument("third")) { try cursor.nextPositional(named: "third") }
        #expect(cursor.isAtEnd)
    }

    @Test func leftoversAreReported() {
        var unread = ArgumentCursor(["--verbose"])
        #expect(throws: UsageError.unknownOption("--verbose")) { try unread.verifyFullyConsumed() }
        var extra = ArgumentCursor(["a", "b"])
        #expect(throws: UsageError.unexpectedArgument("a")) { try extra.verifyFullyConsumed() }
        var empty = ArgumentCursor([])
        #expect(throws: Never.self) { try empty.verifyFullyConsumed() }
    }
}
