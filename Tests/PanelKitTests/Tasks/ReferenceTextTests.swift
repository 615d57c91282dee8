import Testing

@testable import PanelKit

@Suite struct ReferenceTextTests {
    @Test func gsm8kCalculatorNotesAreRemovedAndTheAnswerAppended() {
        let reference = ReferenceText.scoringReference(for: Fixtures.janetsDucks, type: .number)
        #expect(reference.hasRationale)
        #expect(reference.text == """
            Janet sells 16 - 3 - 4 = 9 duck eggs a day.
            She makes 9 * 2 = $18 every day at the farmer’s market.
            The answer is 18.
            """)
    }

    @Test func nataliasClips() {
        let reference = ReferenceText.scoringReference(for: Fixtures.nataliasClips, type: .number)
        #expect(reference.text.hasPrefix("Natalia sold 48/2 = 24 clips in May.\n"))
        #expect(reference.text.hasSuffix("\nThe answer is 72."))
        #expect(!reference.text.contains("<<"))
    }

    @Test func referenceReadsBackAsTheGoldAnswer() {
        let item = Fixtures.janetsDucks
        let extractor = AnswerExtractor(type: .number)
        let reference = ReferenceText.scoringReference(for: item, type: .number)
        #expect(extractor.isCorrect(extractor.extract(from: reference.text, for: item), gold: item))
    }

    @Test func multipleChoiceWithoutRationale() {
        let reference = ReferenceText.scoringReference(for: Fixtures.planetRotation, type: .multipleChoice)
        #expect(reference == ("The answer is C: Planetary days will become shorter.", false))
        #expect(ReferenceText.scoringReference(for: Fixtures.safetyEquipment, type: .multipleChoice).text
            == "The answer is B: breathing mask.")
    }

    @Test func aquaClosingAnswerLineIsReplaced() {
        // aqua-4's ending, shortened.
        let item = TaskItem(
            id: "aqua-4", question: "…", choices: ["350", "380", "400", "420", "450"], answer: "C",
            rationale: "Total marbles = 20*20=400 marbles.\nAnswer: C.")
        let reference = ReferenceText.scoringReference(for: item, type: .multipleChoice)
        #expect(reference.text == "Total marbles = 20*20=400 marbles.\nThe answer is C: 400.")
    }

    @Test(arguments: ["ANSWER:C", "Answer : Option C", "The correct option is C.", "Hence (C) is correct answer.", "C"])
    func answerStatementsAreDropped(line: String) {
        let item = TaskItem(id: "q", question: "…", choices: ["a", "b", "c"], answer: "C", rationale: "Work.\n" + line)
        #expect(ReferenceText.scoringReference(for: item, type: .multipleChoice).text == "Work.\nThe answer is C: c.")
    }

    @Test func yesNoWithRationaleCollapsesDoubleSpaces() {
        let reference = ReferenceText.scoringReference(for: Fixtures.frost, type: .yesNo)
        #expect(reference.hasRationale)
        #expect(reference.text.contains("June. Frost isn't"))
        #expect(reference.text.hasSuffix("as it is the winter.\nThe answer is yes."))
    }

    @Test func freeTextAndExact() {
        #expect(ReferenceText.scoringReference(for: Fixtures.watermelon, type: .freeText)
            == ("The watermelon seeds pass through your digestive system", false))
        #expect(ReferenceText.scoringReference(for: Fixtures.capital, type: .exact) == ("The answer is Paris.", false))
    }

    @Test func numberAnswerIsCanonical() {
        let item = TaskItem(id: "n", question: "…", answer: "1,250.00")
        #expect(ReferenceText.scoringReference(for: item, type: .number) == ("The answer is 1250.", false))
    }

    @Test func blankRationaleCountsAsNone() {
        let item = TaskItem(id: "n", question: "…", answer: "3", rationale: " <<1+2=3>> \n")
        #expect(ReferenceText.scoringReference(for: item, type: .number) == ("The answer is 3.", false))
    }
}
