import Testing

@testable import PanelKit

@Suite struct MultipleChoiceExtractionTests {
    let extractor = AnswerExtractor(type: .multipleChoice)

    /// Outputs to arc_easy-1 (A safety goggles, B breathing mask, C rubber gloves, D lead apron); `nil` means
    /// unparsable.
    @Test(arguments: [
        ("The answer is (B)", "B"),
        ("Answer: B", "B"),
        ("B.", "B"),
        ("B)", "B"),
        ("**B**", "B"),
        ("(b)", "B"),
        (" b ", "B"),
        ("Option C", "C"),
        ("I choose D because lead blocks radiation.", "D"),
        ("I would go with (A), since goggles cover the eyes.", "A"),
        ("Answer: Option B", "B"),
        ("ANSWER:D", "D"),
        ("The answer to this question is C.", "C"),
        ("It's D.", "D"),
        ("B is correct.", "B"),
        ("\\boxed{B}", "B"),
        ("The answer is A because goggles protect the eyes.", "A"),
        ("A", "A"),
        ("A and C are wrong, the answer is B", "B"),
        ("I think the answer is (C). Wait, no: the answer is (B).", "B"),
        ("Goggles protect eyes and gloves protect hands, so the answer is breathing mask.", "B"),
        ("The answer is a breathing mask.", "B"),
        ("breathing mask", "B"),
        ("Breathing Mask.", "B"),
        ("A breathing mask keeps the spores out of the lungs.", "B"),
        ("B) breathing mask", "B"),
        ("The answer is B.\nQuestion: Which gas do plants absorb?\nA. oxygen\nB. carbon dioxide\nAnswer: A", "B"),
        ("The answer is E", nil),
        ("(E)", nil),
        ("A, B and C all protect you.", nil),
        ("A) safety goggles\nB) breathing mask\nC) rubber gloves\nD) lead apron", nil),
        ("A plant needs water to grow.", nil),
        ("The answer is not A.", nil),
        ("Vitamin C is the best answer here.", nil),
        ("safety goggles or rubber gloves", nil),
        ("I don't know.", nil),
        ("", nil),
    ] as [(String, String?)])
    func safetyEquipment(output: String, expected: String?) {
        #expect(extractor.extract(from: output, for: Fixtures.safetyEquipment) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    @Test(arguments: [
        ("The correct answer is C: Planetary days will become shorter.", "C"),
        ("Planetary days will become shorter, because the planet spins faster.", "C"),
        ("The answer is (C) Planetary days will become shorter.", "C"),
        ("If rotation speeds up, a day is shorter. The answer is C.", "C"),
        ("Planetary years will become longer or planetary days will become shorter.", nil),
    ] as [(String, String?)])
    func planetRotation(output: String, expected: String?) {
        #expect(extractor.extract(from: output, for: Fixtures.planetRotation) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    /// Numeric choice texts ("0", "4", "2", "6"): a number after an answer cue names a choice's text.
    @Test(arguments: [
        ("The answer is 4", "B"),
        ("4", "B"),
        ("Answer: (D)", "D"),
        ("The degree is 4 since sqrt(18) = 3 sqrt(2), not 2.", nil),
    ] as [(String, String?)])
    func numericChoices(output: String, expected: String?) {
        #expect(extractor.extract(from: output, for: Fixtures.fieldExtension) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    @Test func echoedQuestionIsIgnored() {
        let output = Fixtures.safetyEquipment.question + "\nThe answer is (B)."
        #expect(extractor.extract(from: output, for: Fixtures.safetyEquipment) == .answer("B"))
    }

    @Test func withoutChoicesAnyLetterCounts() {
        let item = TaskItem(id: "x", question: "Pick one.", answer: "F")
        #expect(extractor.extract(from: "The answer is F.", for: item) == .answer("F"))
        #expect(extractor.extract(from: "breathing mask", for: item) == .unparsable)
    }
}
