import Testing

@testable import PanelKit

@Suite struct TextExtractionTests {
    let exact = AnswerExtractor(type: .exact)
    let freeText = AnswerExtractor(type: .freeText)

    @Test(arguments: [
        ("Paris", "paris"),
        ("  \"Paris.\" ", "paris"),
        ("**Paris**", "paris"),
        ("The answer is Paris.", "paris"),
        ("Answer: Paris", "paris"),
        ("A: Paris", "paris"),
        ("The final answer: Paris", "paris"),
        ("I think the answer is 'Mount Everest'.", "mount everest"),
        ("Paris. It is the capital of France.", "paris"),
        ("Paris\nExplanation: it is the capital.", "paris"),
        ("The   Eiffel\tTower", "the eiffel tower"),
        ("J. K. Rowling", "j. k. rowling"),
        ("St. Louis", "st. louis"),
        ("\n\nParis!\n", "paris"),
        ("Paris\nQuestion: What is the capital of Spain?\nAnswer: Madrid", "paris"),
        ("...", nil),
        ("", nil),
    ] as [(String, String?)])
    func exactAnswers(output: String, expected: String?) {
        #expect(exact.extract(from: output, for: Fixtures.capital) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    @Test func exactGoldAndCorrectness() {
        let item = TaskItem(id: "e", question: "Capital?", answer: " \"Paris.\" ")
        #expect(exact.gold(item) == .answer("paris"))
        #expect(exact.isCorrect(exact.extract(from: "The answer is PARIS", for: item), gold: item))
        #expect(!exact.isCorrect(exact.extract(from: "Paris, France", for: item), gold: item))
    }

    @Test(arguments: [
        ("Answer: The watermelon seeds pass through your digestive system.",
         "The watermelon seeds pass through your digestive system."),
        ("  Nothing happens.  ", "Nothing happens."),
        ("def f(x):\n    return x\n", "def f(x):\n    return x"),
        ("Nothing happens.\nQ: What is 2+2?\nA: 4", "Nothing happens."),
        ("   ", nil),
    ] as [(String, String?)])
    func freeTextKeepsTheOutput(output: String, expected: String?) {
        #expect(freeText.extract(from: output, for: Fixtures.watermelon) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    /// Gold: "The watermelon seeds pass through your digestive system".
    @Test(arguments: [
        ("the watermelon seeds pass through your digestive system!", true),  // equal when normalised
        ("Nothing bad: the watermelon seeds pass through your digestive system and leave.", true),  // contains
        ("Watermelon seeds pass through the digestive system.", true),  // F1 ≈ 0.92
        ("The seeds pass through your system.", true),  // F1 ≈ 0.77
        ("You grow watermelons in your stomach.", false),  // F1 ≈ 0.15
        ("Seeds are digested.", false),
    ])
    func freeTextCorrectness(output: String, expected: Bool) {
        let item = Fixtures.watermelon
        #expect(freeText.isCorrect(freeText.extract(from: output, for: item), gold: item) == expected)
    }

    @Test func tokenF1() {
        #expect(TextAnswerReader.tokenF1(["a", "b"], ["a", "b"]) == 1)
        #expect(TextAnswerReader.tokenF1(["x"], ["a"]) == 0)
        // precision 1/2, recall 1/1
        #expect(abs(TextAnswerReader.tokenF1(["a", "b"], ["a"]) - 2.0 / 3.0) < 1e-9)
    }
}
