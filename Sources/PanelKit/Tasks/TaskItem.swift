/// One labelled example of a task, in the format of the shared benchmark files.
public struct TaskItem: Sendable, Hashable {
    /// A stable identifier, unique within its file.
    public var id: String
    /// The question text; for multiple choice it does not contain the choices.
    public var question: String
    /// The option texts of a multiple-choice item; option k has the letter "ABCDE…"[k].
    public var choices: [String]?
    /// The gold answer: a letter, a plain number, "yes"/"no", or text.
    public var answer: String
    /// A gold explanation leading to the answer, where the source has one.
    public var rationale: String?
    /// Test assertions of a code task.
    public var tests: [String]?
    /// The 1-based line of the item in its file, for error messages.
    public var line: Int

    /// Creates an item.
    public init(
        id: String, question: String, choices: [String]? = nil, answer: String, rationale: String? = nil,
        tests: [String]? = nil, line: Int = 0
    ) {
        self.id = id
        self.question = question
        self.choices = choices
        self.answer = answer
        self.rationale = rationale
        self.tests = tests
        self.line = line
    }

    /// The letter of choice `index` ("A" for 0).
    public static func letter(_ index: Int) -> String {
        String(UnicodeScalar(UInt8(65 + index)))
    }
}
