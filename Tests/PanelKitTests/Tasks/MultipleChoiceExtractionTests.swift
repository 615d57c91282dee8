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
        ("I'd go with C.", "C"),
        ("Answer: Option B", "B"),
        ("ANSWER:D", "D"),
        ("The answer to this question is C.", "C"),
        ("It's D.", "D"),
        ("B is correct.", "B"),
        ("\\boxed{B}", "B"),
        ("#### B", "B"),
        ("Answer:\nB", "B"),
        ("Option A is wrong, so (B).", "B"),
        ("Option A is wrong.", nil),
        ("Options A and D are wrong.", nil),
        ("The answer is A because goggles protect the eyes.", "A"),
        ("A", "A"),
        ("A and C are wrong, the answer is B", "B"),
        ("I think the answer is (C). Wait, no: the answer is (B).", "B"),
        ("Goggles protect eyes and gloves protect hands, so the answer is breathing mask.", "B"),
        ("The answer is a breathing mask.", "B"),
        ("I think it is a breathing mask.", "B"),
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

    /// mmlu-11737: the chosen option's own text contains "it is a correct…", which must not read as "A".
    @Test func cuePhrasesInsideTheChosenTextDoNotCount() {
        let item = TaskItem(
            id: "mmlu-11737", question: "…",
            choices: [
                "admissible, only if the photographer is available to testify concerning the circumstances under "
                    + "which the photograph was taken.",
                "admissible, only if a witness verifies that it is a correct and accurate representation of the "
                    + "relevant facts.",
                "inadmissible as non-verbal hearsay not within any recognized exception.",
                "inadmissible as not the best evidence.",
            ], answer: "B")
        let output = "The answer is B: admissible, only if a witness verifies that it is a correct and accurate "
            + "representation of the relevant facts."
        #expect(extractor.extract(from: output, for: item) == .answer("B"))
    }

    /// aqua-15's ending: "P(B)" is notation, and the closing "A" is the only option named.
    @Test func bracketedLettersInNotationAreNotOptions() {
        let item = TaskItem(id: "aqua-15", question: "…", choices: ["0.2", "0.3", "0.4", "0.5", "0.6"], answer: "A")
        let output = "P(A/B) = P (A n B)/P(B)\nHere, P (A n B) = 0.16\nP(A/B) = 0.16/0.8 = 0.2\nA"
        #expect(extractor.extract(from: output, for: item) == .answer("A"))
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
