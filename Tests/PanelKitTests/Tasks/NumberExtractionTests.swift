import Testing

@testable import PanelKit

@Suite struct NumberExtractionTests {
    let extractor = AnswerExtractor(type: .number)

    /// Outputs to gsm8k-0 (Janet's ducks, gold 18); `nil` means unparsable.
    @Test(arguments: [
        ("#### 72", "72"),
        ("#### 1,250", "1250"),
        ("\\boxed{72}", "72"),
        ("So the total is \\boxed{\\frac{1}{2}} of the eggs.", "0.5"),
        ("\\boxed{18 \\text{ dollars}}", "18"),
        ("\\boxed{5m}", "5"),
        ("Let x be the eggs sold, so x = 18.\nThe answer is \\boxed{x = 18}", "18"),
        // Qwen2.5-Coder-0.5B, asked about 2 bolts of blue and half as much white fiber: a formula in a box
        // is no number, and its coefficients are not the answer (the prose's "2 + 1 = 3" came earlier).
        ("So the total is 2 + 1 = 3 bolts per B. Therefore, the answer is \\(\\boxed{\\frac{3B}{2}}\\).", nil),
        ("Therefore, the answer is: \\[ \\boxed{\\frac{2N}{3}} \\]", nil),
        ("\\boxed{60/x}", nil),
        ("\\boxed{2x + 1}", nil),
        ("\\boxed{3n}", nil),
        ("\\boxed{3 \\cdot x}", nil),
        ("\\boxed{2 \\times 3 = 6}", "6"),
        ("The answer is 72.", "72"),
        ("72 clips", "72"),
        ("$1,250.00", "1250"),
        ("1,250", "1250"),
        ("-3", "-3"),
        ("3.50", "3.5"),
        ("1/2", "0.5"),
        ("2 1/2 cups", "2.5"),
        ("2/6", "1/3"),
        ("seventy-two", "72"),
        ("The answer is twelve.", "12"),
        ("Answer: 007", "7"),
        ("It increased by 50%.", "50"),
        ("There are 1,000,000 people.", "1000000"),
        ("x = -2.50", "-2.5"),
        ("The temperature is -3 degrees.", "-3"),
        ("16-3 = 13", "13"),
        ("16 - 3 - 4", "4"),
        ("48/2 = 24", "24"),
        ("Janet sells 16 - 3 - 4 = 9 eggs.\nSo she made $18 per day.", "18"),
        ("The answer is 5 + 3 = 8 apples.", "8"),
        ("The answer is $18. She sold 16 eggs in total over 4 days.", "18"),
        ("The final answer is: **42**", "42"),
        ("Step 1: 5 * 3 = 15\nStep 2: 15 + 2 = 17", "17"),
        ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 clips.\n#### 72", "72"),
        ("She makes 9 * 2 = $<<9*2=18>>18", "18"),
        ("The answer is 18.\n\nQuestion: Tom has 5 apples and eats 2. How many are left?\nAnswer: 3", "18"),
        ("#### 18\nThe answer is 20.", "18"),
        // Qwen2.5-Coder-0.5B, svamp-190: the stated result is in the prose, the code repeats the inputs.
        ("4. Pastries sold - cakes sold: 232 - 78 = 154 pastries\n\nSo, baker sold 154 pastries more than cakes. "
            + "Let's confirm this with a simple Python code.\n```python\npastries_sold = 154\ncakes_sold = 78\n"
            + "pastries_sold - cakes_sold\n```\n", "154"),
        ("The total is 8 + 24 = 32.\n\nNow, let's write the Python code.\n```python\n# Cost of 3 pizzas", "32"),
        ("```python\nprint(6 * 7)\n```", "7"),
        ("I don't know.", nil),
        ("The answer is unknown.", nil),
        ("", nil),
    ] as [(String, String?)])
    func janetsDucks(output: String, expected: String?) {
        #expect(extractor.extract(from: output, for: Fixtures.janetsDucks) == expected.map(ExtractedAnswer.answer) ?? .unparsable)
    }

    @Test func numbersOfAnEchoedQuestionAreIgnored() {
        let item = Fixtures.janetsDucks
        #expect(extractor.extract(from: item.question + "\nI am not sure.", for: item) == .unparsable)
        #expect(extractor.extract(from: "Question: " + item.question + "\nShe makes 18 dollars a day.", for: item) == .answer("18"))
    }

    @Test(arguments: [
        ("72", "72"), ("1,250", "1250"), ("$3.50", "3.5"), ("-10", "-10"), ("0.50", "0.5"), ("1/4", "0.25"),
        ("-0", "0"), ("50%", "50"),
    ])
    func goldNumbersAreCanonical(gold: String, expected: String) {
        let item = TaskItem(id: "n", question: "How many?", answer: gold)
        #expect(extractor.gold(item) == .answer(expected))
    }

    @Test func nonNumericGoldIsUnparsableAndNeverCorrect() {
        let item = TaskItem(id: "n", question: "How many?", answer: "many")
        #expect(extractor.gold(item) == .unparsable)
        #expect(!extractor.isCorrect(.answer("many"), gold: item))
    }

    @Test func correctnessComparesCanonicalValues() {
        let item = TaskItem(id: "n", question: "How much?", answer: "1250")
        #expect(extractor.isCorrect(extractor.extract(from: "It costs $1,250.00 in total.", for: item), gold: item))
        #expect(!extractor.isCorrect(extractor.extract(from: "It costs $1,200.", for: item), gold: item))
        #expect(!extractor.isCorrect(.unparsable, gold: item))
    }
}
