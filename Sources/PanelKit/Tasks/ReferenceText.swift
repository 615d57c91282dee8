import Foundation

/// The gold answer of an item written out the way a model would write it, for scoring outputs by their
/// similarity to it.
///
/// A reference is only comparable with model outputs if it contains nothing a model would not write, so
/// dataset artefacts are removed: GSM8K calculator notes (`<<48/2=24>>`), AQuA's closing "Answer : A" lines
/// (the answer sentence is appended in one format instead), and runs of spaces.
public enum ReferenceText {
    /// The rationale (when the item has one) followed by the answer sentence in the task's answer format:
    /// "The answer is 72." for number, "The answer is B: <choice text>." for multiple choice,
    /// "The answer is yes." for yes-no, "The answer is <answer>." for exact, and the answer itself for free
    /// text (which is already a written answer, or code). `hasRationale` is false when only the answer
    /// sentence is there, which makes a much weaker reference.
    public static func scoringReference(for item: TaskItem, type: TaskType) -> (text: String, hasRationale: Bool) {
        let answer = answerSentence(for: item, type: type)
        let rationale = item.rationale.map { cleanedRationale($0, type: type) } ?? ""
        guard !rationale.isEmpty else { return (answer, false) }
        return (rationale + "\n" + answer, true)
    }

    /// The answer as the closing sentence a model would write.
    static func answerSentence(for item: TaskItem, type: TaskType) -> String {
        let answer = item.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        switch type {
        case .number:
            return sentence("The answer is \(NumberText.canonical(answer, strict: false) ?? answer)")
        case .multipleChoice:
            let letter = AnswerExtractor.goldLetter(answer, choices: item.choices) ?? answer
            guard let choices = item.choices, let ascii = letter.first?.asciiValue, Int(ascii) - 65 < choices.count,
                ascii >= 65
            else { return sentence("The answer is \(letter)") }
            let choice = choices[Int(ascii) - 65].trimmingCharacters(in: .whitespacesAndNewlines)
            return sentence("The answer is \(letter): \(choice)")
        case .yesNo:
            return sentence("The answer is \(AnswerExtractor.goldYesNo(answer) ?? answer)")
        case .exact:
            return sentence("The answer is \(answer)")
        case .freeText:
            return answer
        }
    }

    /// `text` ending in a full stop, unless it already ends a sentence.
    private static func sentence(_ text: String) -> String {
        guard let last = text.last, !".!?".contains(last) else { return text }
        return text + "."
    }

    /// The rationale without dataset artefacts, trimmed.
    static func cleanedRationale(_ rationale: String, type: TaskType) -> String {
        var lines = OutputCleaning.removingCalculatorNotes(rationale)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        if type == .multipleChoice, let last = lines.last, isAnswerStatement(last) { lines.removeLast() }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Words of a closing answer statement in AQuA ("ANSWER:A", "Answer: Option B", "The correct option is C.",
    /// "Hence (D) is correct answer.").
    private static let statementWords: Set<String> = [
        "the", "answer", "ans", "is", "correct", "option", "choice", "hence", "thus", "so", "therefore", "will",
        "be", "final",
    ]

    /// Whether `line` only states an option letter, which the appended answer sentence replaces.
    private static func isAnswerStatement(_ line: String) -> Bool {
        let words = line.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        let rest = words.filter { !statementWords.contains($0) }
        return rest.count == 1 && rest[0].count == 1 && rest[0].first!.isLetter
    }
}
