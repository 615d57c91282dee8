import Foundation

/// How a task's answers are written, which decides how answers are extracted and compared.
public enum TaskType: String, Sendable, CaseIterable, Codable {
    /// One letter out of the item's `choices` ("A", "B", …).
    case multipleChoice = "multiple-choice"
    /// A final number (GSM8K, SVAMP).
    case number
    /// "yes" or "no" (BoolQ, StrategyQA).
    case yesNo = "yes-no"
    /// A short string that must match the gold answer after normalisation.
    case exact
    /// Open text with no single extractable answer (TruthfulQA, code).
    case freeText = "free-text"

    /// Whether answers of this type can be extracted and compared exactly (and hence voted on).
    public var hasExtractableAnswer: Bool { self != .freeText }

    /// Infers the type from an item's fields: choices → multiple-choice, a numeric answer → number
    /// ("72", "-3", "1,250", "$3.50", "1/2"; not "nan" or "0x1F"), yes/no → yes-no, tests → free-text (code),
    /// more than six words → free-text, otherwise exact.
    public static func infer(from item: TaskItem) -> TaskType {
        if let choices = item.choices, !choices.isEmpty { return .multipleChoice }
        if item.tests != nil { return .freeText }
        let answer = item.answer.trimmingCharacters(in: .whitespaces).lowercased()
        if answer == "yes" || answer == "no" { return .yesNo }
        if NumberText.canonical(answer) != nil { return .number }
        return answer.split(separator: " ").count > 6 ? .freeText : .exact
    }
}
