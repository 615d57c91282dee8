import Testing

@testable import PanelKit

@Suite struct AnswerExtractorTests {
    @Test(arguments: [
        ("b", "B"), (" C ", "C"), ("D", "D"),
    ])
    func goldLettersAreUppercased(gold: String, expected: String) {
        let item = TaskItem(id: "m", question: "Q", choices: ["w", "x", "y", "z"], answer: gold)
        #expect(AnswerExtractor(type: .multipleChoice).gold(item) == .answer(expected))
    }

    @Test(arguments: ["E", "BC", "(B)", "breathing mask"])
    func goldLettersOutsideTheChoicesAreUnparsable(gold: String) {
        let item = TaskItem(id: "m", question: "Q", choices: ["w", "x", "y", "z"], answer: gold)
        #expect(AnswerExtractor(type: .multipleChoice).gold(item) == .unparsable)
    }

    @Test func unparsableIsNeverCorrect() {
        for type in TaskType.allCases {
            let item = TaskItem(id: "u", question: "Q", choices: ["x", "y"], answer: "A")
            #expect(!AnswerExtractor(type: type).isCorrect(.unparsable, gold: item))
        }
    }

    @Test func multipleChoiceCorrectness() {
        let extractor = AnswerExtractor(type: .multipleChoice)
        let item = Fixtures.safetyEquipment
        #expect(extractor.isCorrect(extractor.extract(from: "The answer is (b).", for: item), gold: item))
        #expect(extractor.isCorrect(extractor.extract(from: "breathing mask", for: item), gold: item))
        #expect(!extractor.isCorrect(extractor.extract(from: "Answer: A", for: item), gold: item))
    }

    @Test func extractedAnswerText() {
        #expect(ExtractedAnswer.answer("B").text == "B")
        #expect(ExtractedAnswer.unparsable.text == nil)
    }
}
