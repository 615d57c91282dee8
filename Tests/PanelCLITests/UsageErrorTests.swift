import Testing

@testable import PanelCLI

@Suite struct UsageErrorTests {
    @Test func messagesAreLowercaseAndQuoteTheCulprit() {
        #expect(UsageError.unknownCommand("pol").description == "unknown command 'pol'")
        #expect(
            UsageError.unknownOption("--pol", suggestion: "--pool").description
                == "unknown option '--pol'; did you mean '--pool'?")
        #expect(UsageError.missingValue(option: "--pool").description == "missing value for '--pool'")
        #expect(
            UsageError.invalidValue(option: "-j", value: "x", expected: "an integer").description
                == "invalid value 'x' for '-j': expected an integer")
        #expect(
            UsageError.unexpectedValue(option: "--json", value: "yes").description
                == "option '--json' does not take a value (got 'yes')")
        #expect(UsageError.missingArgument("prompt").description == "missing required argument '<prompt>'")
        #expect(
            UsageError.conflictingOptions("--json", "--markdown").description
                == "'--json' cannot be used together with '--markdown'")
    }
}

@Suite struct SpellingSuggestionTests {
    @Test func editDistance() {
        #expect(SpellingSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(SpellingSuggestion.editDistance("", "abc") == 3)
        #expect(SpellingSuggestion.editDistance("--pool", "--pool") == 0)
    }

    @Test func closeTyposAreCorrected() {
        let options = ["--pool", "--json", "--model", "--help"]
        #expect(SpellingSuggestion.closest(to: "--pol", among: options) == "--pool")
        #expect(SpellingSuggestion.closest(to: "--jsno", among: options) == "--json")
        #expect(SpellingSuggestion.closest(to: "--mdoel", among: options) == "--model")
    }

    @Test func distantWordsAreNotCorrected() {
        #expect(SpellingSuggestion.closest(to: "--verbose", among: ["--pool", "--json"]) == nil)
        #expect(SpellingSuggestion.closest(to: "--ab", among: ["--xy"]) == nil)
    }

    @Test func unambiguousPrefixIsCompleted() {
        #expect(SpellingSuggestion.closest(to: "--temp", among: ["--temperature", "--top"]) == "--temperature")
        #expect(SpellingSuggestion.closest(to: "--te", among: ["--temperature", "--test"]) == nil)
    }
}
