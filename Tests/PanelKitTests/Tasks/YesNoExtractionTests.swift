import Testing

@testable import PanelKit

@Suite struct YesNoExtractionTests {
    let extractor = AnswerExtractor(type: .yesNo)

    /// Outputs to strategyqa-0 (frost at commencements, gold yes); `nil` means unparsable.
    @Test(arguments: [
        ("Yes, because frost forms in December.", "yes"),
        ("No.", "no"),
        ("**yes**", "yes"),
        ("YES", "yes"),
        ("\"No\"", "no"),
        ("Yes it is.", "yes"),
        ("No because commencements are in summer.", "no"),
        ("The answer is no", "no"),
        ("True", "yes"),
        ("False.", "no"),
        ("I think the answer is yes.", "yes"),
        ("I would say yes", "yes"),
        ("Hard to tell, but I’d say no.", "no"),
        ("Answer (yes or no): no", "no"),
        ("\\boxed{no}", "no"),
        ("#### yes", "yes"),
        ("Yeah, frost happens in December.", "yes"),
        ("Nope.", "no"),
        ("No, the answer is yes.", "yes"),
        ("Yes. Actually, no.", "yes"),
        ("Frost is common in December. So yes.", "yes"),
        ("Frost can form at night.\nNo.", "no"),
        ("The answer is yes.\nQuestion: Is the sky green?\nAnswer: no", "yes"),
        ("There is no evidence that frost is common.", nil),
        ("No one knows for sure.", nil),
        ("It is not true that frost is rare.", nil),
        ("True love is rare.", nil),
        ("yes/no", nil),
        ("Maybe.", nil),
        ("", nil),
    ] as [(String, String?)])
    func frost(output: String, expected: String?) {
        #expect(extractor.extract(from: output, for: Fixtures.frost) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    @Test(arguments: [("yes", "yes"), ("No", "no"), ("TRUE", "yes"), ("false.", "no")])
    func goldIsNormalised(gold: String, expected: String) {
        #expect(extractor.gold(TaskItem(id: "g", question: "Q?", answer: gold)) == .answer(expected))
    }

    @Test func unknownGoldIsUnparsable() {
        #expect(extractor.gold(TaskItem(id: "g", question: "Q?", answer: "maybe")) == .unparsable)
    }

    @Test func correctness() {
        let item = Fixtures.frost
        #expect(extractor.isCorrect(extractor.extract(from: "Yes, it often is.", for: item), gold: item))
        #expect(!extractor.isCorrect(extractor.extract(from: "No.", for: item), gold: item))
        #expect(!extractor.isCorrect(extractor.extract(from: "Perhaps.", for: item), gold: item))
    }
}
