import Foundation

/// Reads the final answer out of a model's raw output for one task type, and judges it against the gold
/// answer.
///
/// Small local models write messy answers — "The answer is (B)", "$1,250.00", "**yes**", a choice's text
/// instead of its letter, a continuation inventing the next question. Each type's reader looks for explicit
/// answer cues first and falls back to weaker evidence only when it is unambiguous, and says
/// `.unparsable` rather than guess. The rules of each type are documented on its reader:
/// `MultipleChoiceReader`, `NumberReader`, `YesNoReader` and `TextAnswerReader`.
///
/// Before reading, an echoed copy of the question and everything from a line that starts a new few-shot
/// example ("Question: …", "Q: …") on are removed, so an invented example's answer is not read.
/// Gold answers are normalised by the same rules, so "1,250" and "1250" or "Yes" and "yes" are equal.
public struct AnswerExtractor: Sendable, Hashable {
    /// The task type whose answers this extractor reads.
    public var type: TaskType

    /// Free text is correct from this token F1 with the gold answer on (SQuAD-style words).
    public static let freeTextF1Threshold = 0.6

    /// Creates an extractor for answers of `type`.
    public init(type: TaskType) {
        self.type = type
    }

    /// The answer `output` gives to `item`, in normal form: the chosen letter, the canonical number,
    /// "yes"/"no", the normalised short answer, or the trimmed free text.
    public func extract(from output: String, for item: TaskItem) -> ExtractedAnswer {
        let region = OutputCleaning.answerRegion(of: output, question: item.question)
        let answer: String? =
            switch type {
            case .multipleChoice: MultipleChoiceReader.letter(in: region, choices: item.choices)
            case .number: NumberReader.number(in: region)
            case .yesNo: YesNoReader.answer(in: region)
            case .exact: TextAnswerReader.exactAnswer(in: region)
            case .freeText: TextAnswerReader.freeText(in: region)
            }
        return answer.map(ExtractedAnswer.answer) ?? .unparsable
    }

    /// The item's gold answer in the same normal form as extracted answers; unparsable when the gold answer
    /// does not fit the type (a letter outside the choices, a non-numeric answer to a number task).
    public func gold(_ item: TaskItem) -> ExtractedAnswer {
        let answer = item.answer.trimmingCharacters(in: .whitespacesAndNewlines)
        let normal: String? =
            switch type {
            case .multipleChoice: Self.goldLetter(answer, choices: item.choices)
            case .number: NumberText.canonical(answer, strict: false)
            case .yesNo: Self.goldYesNo(answer)
            case .exact: OutputCleaning.normalizedShortAnswer(answer)
            case .freeText: answer
            }
        guard let normal, !normal.isEmpty else { return .unparsable }
        return .answer(normal)
    }

    /// Whether `extracted` is the right answer to `item`. Unparsable answers, and answers to items whose
    /// gold answer is itself unparsable, are never correct. Free text is correct when
    /// `TextAnswerReader.freeTextMatches` accepts it: equal after normalisation, containing the gold answer's
    /// words in order, or with token F1 of at least `freeTextF1Threshold`.
    public func isCorrect(_ extracted: ExtractedAnswer, gold item: TaskItem) -> Bool {
        guard case .answer(let answer) = extracted, case .answer(let gold) = gold(item) else { return false }
        if type == .freeText {
            return TextAnswerReader.freeTextMatches(answer, gold: gold, threshold: Self.freeTextF1Threshold)
        }
        return answer == gold
    }

    /// A gold letter, upper-cased, when it names one of the choices (any of A–Z without choices).
    static func goldLetter(_ answer: String, choices: [String]?) -> String? {
        guard answer.count == 1, let ascii = answer.uppercased().first?.asciiValue, ascii >= 65, ascii <= 90
        else { return nil }
        return Int(ascii) - 65 < (choices?.count ?? 26) ? answer.uppercased() : nil
    }

    /// A gold yes/no, accepting "Yes", "NO.", "true" and "false".
    static func goldYesNo(_ answer: String) -> String? {
        let word = OutputCleaning.normalizedShortAnswer(answer)
        return ["yes", "no", "true", "false"].contains(word) ? YesNoReader.polarity(word[...]) : nil
    }
}
